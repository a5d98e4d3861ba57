/* ridge-hand-diagram.c — two hands, ten fingers (ISO/IEC 19794-2 finger positions)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-hand-diagram"

#include "config.h"

#include "ridge-hand-diagram.h"

#include <glib/gi18n.h>

/* The drawing is laid out on a 440 × 200 design grid and scaled to the allocation. */
#define DESIGN_W 440.0
#define DESIGN_H 200.0
#define FINGER_W 24.0

typedef struct {
  double x, y, h;
} FingerBox;

/* Left hand, design units, index = finger position - 6 (thumb … little). */
static const FingerBox left_hand[5] = {
  { 170, 104, 56 },   /* thumb */
  { 134, 20, 88 },    /* index */
  { 102, 6, 102 },    /* middle */
  { 70, 18, 90 },     /* ring */
  { 38, 42, 66 },     /* little */
};
static const graphene_rect_t left_palm = { { 30, 96 }, { 140, 92 } };

/* Visual order, left to right, for keyboard navigation. */
static const guint visual_order[RIDGE_FINGER_MAX] = { 10, 9, 8, 7, 6, 1, 2, 3, 4, 5 };

struct _RidgeHandDiagram {
  GtkWidget parent_instance;

  GtkWidget *buttons[RIDGE_FINGER_MAX + 1];   /* index 0 unused */
  guint      selected;
  guint      enrolled;
  gboolean   updating;
};

G_DEFINE_FINAL_TYPE (RidgeHandDiagram, ridge_hand_diagram, GTK_TYPE_WIDGET);

enum {
  PROP_0,
  PROP_SELECTED,
  PROP_ENROLLED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ridge_finger_name (guint finger)
{
  switch (finger)
    {
      case 1: return _ ("Right thumb");
      case 2: return _ ("Right index finger");
      case 3: return _ ("Right middle finger");
      case 4: return _ ("Right ring finger");
      case 5: return _ ("Right little finger");
      case 6: return _ ("Left thumb");
      case 7: return _ ("Left index finger");
      case 8: return _ ("Left middle finger");
      case 9: return _ ("Left ring finger");
      case 10: return _ ("Left little finger");
      default: return NULL;
    }
}

/* Design-space box of a finger: right hand mirrors the left one. */
static void
finger_box (guint            finger,
            graphene_rect_t *r)
{
  const FingerBox *b;
  double x;

  g_assert (finger >= 1 && finger <= RIDGE_FINGER_MAX);
  if (finger >= 6)
    {
      b = &left_hand[finger - 6];
      x = b->x;
    }
  else
    {
      b = &left_hand[finger - 1];
      x = DESIGN_W - b->x - FINGER_W;
    }
  graphene_rect_init (r, x, b->y, FINGER_W, b->h);
}

static void
palm_box (gboolean         right,
          graphene_rect_t *r)
{
  *r = left_palm;
  if (right)
    r->origin.x = DESIGN_W - left_palm.origin.x - left_palm.size.width;
}

static void
design_transform (RidgeHandDiagram *self,
                  double           *scale,
                  double           *ox,
                  double           *oy)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double h = gtk_widget_get_height (GTK_WIDGET (self));

  *scale = MIN (w / DESIGN_W, h / DESIGN_H);
  *ox = (w - DESIGN_W * *scale) / 2.0;
  *oy = (h - DESIGN_H * *scale) / 2.0;
}

static void
to_widget (RidgeHandDiagram *self,
           graphene_rect_t  *r)
{
  double s, ox, oy;

  design_transform (self, &s, &ox, &oy);
  graphene_rect_init (r, ox + r->origin.x * s, oy + r->origin.y * s, r->size.width * s,
                      r->size.height * s);
}

static void
update_button (RidgeHandDiagram *self,
               guint             finger)
{
  GtkWidget *button = self->buttons[finger];
  gboolean enrolled = (self->enrolled & (1u << finger)) != 0;
  g_autofree char *label = NULL;

  if (enrolled)
    {
      gtk_widget_add_css_class (button, "enrolled");
      /* Translators: a finger name, then its ISO position number */
      label = g_strdup_printf (_ ("%s (%u), enrolled"), ridge_finger_name (finger), finger);
    }
  else
    {
      gtk_widget_remove_css_class (button, "enrolled");
      label = g_strdup_printf (_ ("%s (%u), not enrolled"), ridge_finger_name (finger), finger);
    }
  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static void
button_toggled_cb (GtkToggleButton  *button,
                   RidgeHandDiagram *self)
{
  guint finger = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "finger"));

  if (self->updating)
    return;
  if (gtk_toggle_button_get_active (button))
    ridge_hand_diagram_set_selected (self, finger);
  else if (self->selected == finger)
    ridge_hand_diagram_set_selected (self, RIDGE_FINGER_NONE);
}

static void
move_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (widget);
  int step = g_str_equal (action_name, "hand.next") ? 1 : -1;
  int pos = -1;
  guint finger;

  for (int i = 0; i < RIDGE_FINGER_MAX; i++)
    if (visual_order[i] == self->selected)
      pos = i;
  if (pos < 0)
    pos = step > 0 ? 0 : RIDGE_FINGER_MAX - 1;
  else
    pos = CLAMP (pos + step, 0, RIDGE_FINGER_MAX - 1);
  finger = visual_order[pos];
  ridge_hand_diagram_set_selected (self, finger);
  gtk_widget_grab_focus (self->buttons[finger]);
}

static void
ridge_hand_diagram_measure (GtkWidget     *widget,
                            GtkOrientation orientation,
                            int            for_size,
                            int           *minimum,
                            int           *natural,
                            int           *minimum_baseline,
                            int           *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = DESIGN_W * 0.6;
      *natural = DESIGN_W;
    }
  else
    {
      *minimum = DESIGN_H * 0.6;
      *natural = for_size > 0 ? MAX (DESIGN_H * 0.6, for_size * DESIGN_H / DESIGN_W)
                              : DESIGN_H;
    }
}

static void
ridge_hand_diagram_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (widget);

  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    {
      graphene_rect_t r;
      int min_w, min_h;

      finger_box (f, &r);
      to_widget (self, &r);
      gtk_widget_measure (self->buttons[f], GTK_ORIENTATION_HORIZONTAL, -1, &min_w, NULL, NULL,
                          NULL);
      gtk_widget_measure (self->buttons[f], GTK_ORIENTATION_VERTICAL, -1, &min_h, NULL, NULL,
                          NULL);
      gtk_widget_size_allocate (self->buttons[f],
                                &(GtkAllocation) {
      (int)r.origin.x, (int)r.origin.y,
      MAX (min_w, (int)r.size.width), MAX (min_h, (int)r.size.height)
    }, -1);
    }
}

static void
ridge_hand_diagram_snapshot (GtkWidget   *widget,
                             GtkSnapshot *snapshot)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (widget);
  GtkStyleContext *ctx = gtk_widget_get_style_context (widget);
  GdkRGBA fg, fill, border;
  double s, ox, oy;

  gtk_style_context_get_color (ctx, &fg);
  fill = fg;
  fill.alpha = 0.07;
  border = fg;
  border.alpha = 0.25;
  design_transform (self, &s, &ox, &oy);

  for (int right = 0; right < 2; right++)
    {
      graphene_rect_t r;
      GskRoundedRect rr;
      g_autoptr (PangoLayout) layout = NULL;
      int tw, th;
      GdkRGBA dim = fg;

      palm_box (right, &r);
      to_widget (self, &r);
      gsk_rounded_rect_init_from_rect (&rr, &r, 22 * s);
      gtk_snapshot_push_rounded_clip (snapshot, &rr);
      gtk_snapshot_append_color (snapshot, &fill, &r);
      gtk_snapshot_pop (snapshot);
      gtk_snapshot_append_border (snapshot, &rr,
                                  (float[4]) { 1, 1, 1, 1 },
                                  (GdkRGBA[4]) { border, border, border, border });

      layout = gtk_widget_create_pango_layout (widget, right ? _ ("Right hand") : _ ("Left hand"));
      pango_layout_get_pixel_size (layout, &tw, &th);
      dim.alpha = 0.6;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT ((int)(r.origin.x + (r.size.width - tw) / 2),
                                                    (int)(r.origin.y + r.size.height * 0.55
                                                          - th / 2.0)));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
    }

  GTK_WIDGET_CLASS (ridge_hand_diagram_parent_class)->snapshot (widget, snapshot);
}

static void
ridge_hand_diagram_dispose (GObject *object)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (object);

  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    g_clear_pointer (&self->buttons[f], gtk_widget_unparent);
  G_OBJECT_CLASS (ridge_hand_diagram_parent_class)->dispose (object);
}

static void
ridge_hand_diagram_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (object);

  switch (prop_id)
    {
      case PROP_SELECTED:
        g_value_set_uint (value, self->selected);
        break;

      case PROP_ENROLLED:
        g_value_set_uint (value, self->enrolled);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_hand_diagram_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  RidgeHandDiagram *self = RIDGE_HAND_DIAGRAM (object);

  switch (prop_id)
    {
      case PROP_SELECTED:
        ridge_hand_diagram_set_selected (self, g_value_get_uint (value));
        break;

      case PROP_ENROLLED:
        ridge_hand_diagram_set_enrolled (self, g_value_get_uint (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_hand_diagram_class_init (RidgeHandDiagramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_hand_diagram_dispose;
  object_class->get_property = ridge_hand_diagram_get_property;
  object_class->set_property = ridge_hand_diagram_set_property;
  widget_class->measure = ridge_hand_diagram_measure;
  widget_class->size_allocate = ridge_hand_diagram_size_allocate;
  widget_class->snapshot = ridge_hand_diagram_snapshot;

  properties[PROP_SELECTED] =
    g_param_spec_uint ("selected", NULL, NULL, 0, RIDGE_FINGER_MAX, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ENROLLED] =
    g_param_spec_uint ("enrolled", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "hand.next", NULL, move_action);
  gtk_widget_class_install_action (widget_class, "hand.previous", NULL, move_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "hand.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Right, 0, "hand.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "hand.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Left, 0, "hand.previous", NULL);

  gtk_widget_class_set_css_name (widget_class, "ridge-hand-diagram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ridge_hand_diagram_init (RidgeHandDiagram *self)
{
  GtkToggleButton *group = NULL;

  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    {
      g_autofree char *number = g_strdup_printf ("%u", f);
      GtkWidget *button = gtk_toggle_button_new_with_label (number);

      gtk_widget_add_css_class (button, "finger");
      g_object_set_data (G_OBJECT (button), "finger", GUINT_TO_POINTER (f));
      if (group != NULL)
        gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (button), group);
      else
        group = GTK_TOGGLE_BUTTON (button);
      g_signal_connect_object (button, "toggled", G_CALLBACK (button_toggled_cb), self, 0);
      self->buttons[f] = button;
      update_button (self, f);
    }
  /* children in visual order, so Tab moves left to right */
  for (guint i = 0; i < RIDGE_FINGER_MAX; i++)
    gtk_widget_set_parent (self->buttons[visual_order[i]], GTK_WIDGET (self));

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _ ("Fingers"), -1);
}

GtkWidget *
ridge_hand_diagram_new (void)
{
  return g_object_new (RIDGE_TYPE_HAND_DIAGRAM, NULL);
}

void
ridge_hand_diagram_set_selected (RidgeHandDiagram *self,
                                 guint             finger)
{
  g_return_if_fail (RIDGE_IS_HAND_DIAGRAM (self));
  g_return_if_fail (finger <= RIDGE_FINGER_MAX);

  if (self->selected == finger)
    return;
  self->selected = finger;
  self->updating = TRUE;
  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (self->buttons[f]), f == finger);
  self->updating = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED]);
}

guint
ridge_hand_diagram_get_selected (RidgeHandDiagram *self)
{
  g_return_val_if_fail (RIDGE_IS_HAND_DIAGRAM (self), 0);
  return self->selected;
}

void
ridge_hand_diagram_set_enrolled (RidgeHandDiagram *self,
                                 guint             mask)
{
  g_return_if_fail (RIDGE_IS_HAND_DIAGRAM (self));

  mask &= ((1u << (RIDGE_FINGER_MAX + 1)) - 1) & ~1u;
  if (self->enrolled == mask)
    return;
  self->enrolled = mask;
  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    update_button (self, f);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ENROLLED]);
}

guint
ridge_hand_diagram_get_enrolled (RidgeHandDiagram *self)
{
  g_return_val_if_fail (RIDGE_IS_HAND_DIAGRAM (self), 0);
  return self->enrolled;
}

guint
ridge_hand_diagram_finger_at (RidgeHandDiagram *self,
                              double            x,
                              double            y)
{
  g_return_val_if_fail (RIDGE_IS_HAND_DIAGRAM (self), 0);

  for (guint f = 1; f <= RIDGE_FINGER_MAX; f++)
    {
      graphene_rect_t r;

      finger_box (f, &r);
      to_widget (self, &r);
      if (graphene_rect_contains_point (&r, &GRAPHENE_POINT_INIT (x, y)))
        return f;
    }
  return 0;
}
