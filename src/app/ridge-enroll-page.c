/* ridge-enroll-page.c — guided enrollment of one finger on a terminal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-enroll-page"

#include "config.h"

#include "ridge-enroll-page.h"

#include <glib/gi18n.h>

#include "core/ridge-error.h"
#include "core/ridge-session.h"
#include "ridge-app-util.h"
#include "ridge-hand-diagram.h"
#include "ridge-image-view.h"

#define MAX_SAMPLES 16

struct _RidgeEnrollPage {
  AdwBin parent_instance;

  GtkStack         *stack;
  AdwStatusPage    *status_page;
  AdwEntryRow      *user_row;
  AdwEntryRow      *name_row;
  GtkSpinButton    *samples_spin;
  RidgeHandDiagram *hands;
  GtkLabel         *finger_label;
  GtkLabel         *form_error_label;
  GtkLabel         *step_label;
  RidgeImageView   *image_view;
  GtkLabel         *quality_label;
  GtkLabel         *message_label;
  GtkProgressBar   *progress;

  RidgeTerminalItem *item;
  gulong             state_handler;
  RidgeSession      *session;          /* of the running enrollment */
  gulong             sample_handler;
  GCancellable      *cancellable;      /* the running request */
  GCancellable      *list_cancellable; /* TPL_LIST for the diagram */
  GPtrArray         *templates;        /* RidgeAppTemplate */
  AdwMessageDialog  *duplicate_dialog;

  RidgeEnrollState state;
  guint32          enroll_id;
  guint            samples;
  guint            accepted;
  guint            finger;
  char            *user_id;
  char            *name;
};

G_DEFINE_FINAL_TYPE (RidgeEnrollPage, ridge_enroll_page, ADW_TYPE_BIN);

enum {
  SIGNAL_ENROLLED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static gboolean
item_ready (RidgeEnrollPage *self)
{
  return ridge_app_item_ready (self->item);
}

static void
update_actions (RidgeEnrollPage *self)
{
  gboolean ready = item_ready (self);
  gboolean busy = self->state != RIDGE_ENROLL_IDLE;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enroll.start", ready && !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enroll.commit",
                                 ready && self->state == RIDGE_ENROLL_COMPLETE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "enroll.cancel", busy);
}

static void
set_message (RidgeEnrollPage *self,
             const char      *message)
{
  gtk_label_set_label (self->message_label, message);
}

static void
show_page (RidgeEnrollPage *self)
{
  if (!item_ready (self) && self->state == RIDGE_ENROLL_IDLE)
    gtk_stack_set_visible_child_name (self->stack, "empty");
  else if (self->state == RIDGE_ENROLL_IDLE)
    gtk_stack_set_visible_child_name (self->stack, "form");
  else
    gtk_stack_set_visible_child_name (self->stack, "progress");
  update_actions (self);
}

static void
update_progress (RidgeEnrollPage *self)
{
  g_autofree char *step = NULL;

  if (self->state == RIDGE_ENROLL_STARTING)
    step = g_strdup (_ ("Starting…"));
  else if (self->accepted >= self->samples)
    step = g_strdup (_ ("All samples taken"));
  else
    /* Translators: the sample being taken, of how many */
    step = g_strdup_printf (_ ("Sample %u of %u"), self->accepted + 1, self->samples);
  gtk_label_set_label (self->step_label, step);
  gtk_progress_bar_set_fraction (self->progress,
                                 self->samples > 0 ? (double)self->accepted / self->samples
                                                   : 0.0);
}

/* ---- the user's fingers on the terminal ------------------------------------------------ */

static void
update_enrolled (RidgeEnrollPage *self)
{
  guint mask = ridge_enroll_page_get_enrolled_mask (self);
  guint finger = ridge_hand_diagram_get_selected (self->hands);
  const char *name = ridge_finger_name (finger);

  ridge_hand_diagram_set_enrolled (self->hands, mask);
  if (name == NULL)
    gtk_label_set_label (self->finger_label, _ ("Choose a finger on the hands."));
  else if ((mask & (1u << finger)) != 0)
    {
      /* Translators: a finger name */
      g_autofree char *text = g_strdup_printf (_ ("%s — this user already has it enrolled "
                                                  "here."), name);
      gtk_label_set_label (self->finger_label, text);
    }
  else
    gtk_label_set_label (self->finger_label, name);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RidgeEnrollPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) templates = NULL;

  templates = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                         &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLL_PAGE (user_data);
  if (templates == NULL)
    g_debug ("could not list the enrollments: %s", error->message);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  self->templates = g_steal_pointer (&templates);
  update_enrolled (self);
}

static void
refresh_list (RidgeEnrollPage *self)
{
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  if (!item_ready (self))
    {
      g_clear_pointer (&self->templates, g_ptr_array_unref);
      update_enrolled (self);
      return;
    }
  self->list_cancellable = g_cancellable_new ();
  ridge_terminal_item_list_templates_async (self->item, self->list_cancellable, listed_cb, self);
}

/* ---- the enrollment ------------------------------------------------------------------ */

static void
disconnect_session (RidgeEnrollPage *self)
{
  if (self->session != NULL)
    g_clear_signal_handler (&self->sample_handler, self->session);
  g_clear_object (&self->session);
}

static void
cancel_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);

  if (msg == NULL)
    g_debug ("ENROLL_CANCEL: %s", error->message);
}

/* Ends the enrollment here and, when one may be open on the terminal, there too. */
static void
abort_enrollment (RidgeEnrollPage *self,
                  gboolean         tell_terminal)
{
  RidgeEnrollState was = self->state;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->duplicate_dialog != NULL)
    {
      AdwMessageDialog *dialog = g_steal_pointer (&self->duplicate_dialog);

      gtk_window_destroy (GTK_WINDOW (dialog));
    }
  if (tell_terminal && was != RIDGE_ENROLL_IDLE && self->session != NULL
      && ridge_session_get_state (self->session) == RIDGE_SESSION_READY)
    /* not tied to a cancellable of ours: the page may be going away */
    ridge_session_request_async (self->session, RIDGE_MSG_ENROLL_CANCEL, NULL, 0, NULL,
                                 cancel_sent_cb, NULL);
  disconnect_session (self);
  self->state = RIDGE_ENROLL_IDLE;
  self->enroll_id = 0;
  self->accepted = 0;
}

static void
fail (RidgeEnrollPage *self,
      const char      *message)
{
  abort_enrollment (self, TRUE);
  gtk_label_set_label (self->form_error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), TRUE);
  show_page (self);
}

static const char *
sample_sentence (guint status)
{
  switch (status)
    {
      case RIDGE_SAMPLE_ACCEPTED:
        return _ ("Sample accepted. Lift your finger, then place it again.");
      case RIDGE_SAMPLE_LOW_QUALITY:
        return _ ("The image quality was too low. Press the finger flat and try again.");
      case RIDGE_SAMPLE_TOO_FEW_MINUTIAE:
        return _ ("Too little of the finger was seen. Cover more of the sensor and try again.");
      case RIDGE_SAMPLE_MISMATCH:
        return _ ("This does not match the earlier samples. Use the same finger.");
      case RIDGE_SAMPLE_TIMEOUT:
        return _ ("No finger came in time. Place your finger on the sensor.");
      case RIDGE_SAMPLE_LIFT_FINGER:
        return _ ("Lift your finger from the sensor.");
      default:
        return _ ("The terminal reported an unknown sample status.");
    }
}

static void
enroll_sample_cb (RidgeEnrollPage *self,
                  RidgeMessage    *msg)
{
  RidgeWireMsg body;
  const RidgeWireEnrollSample *s = &body.enroll_sample;
  g_autoptr (GError) error = NULL;
  g_autofree char *quality = NULL;

  if (self->state != RIDGE_ENROLL_STARTING && self->state != RIDGE_ENROLL_CAPTURING)
    return;
  if (!ridge_message_decode (msg, &body, &error))
    {
      g_warning ("ENROLL_SAMPLE: %s", error->message);
      return;
    }
  if (self->enroll_id != 0 && s->enroll_id != self->enroll_id)
    return;
  if (s->samples != self->samples || s->accepted > s->samples)
    {
      fail (self, _ ("The terminal reported a sample count that does not fit this enrollment."));
      return;
    }
  self->state = RIDGE_ENROLL_CAPTURING;
  self->accepted = s->accepted;
  if (s->frame.width > 0 && s->frame.height > 0)
    {
      g_autoptr (RidgeFrame) frame = ridge_frame_new_from_wire (&s->frame,
                                                                g_get_monotonic_time (), &error);

      if (frame == NULL)
        g_warning ("ENROLL_SAMPLE image: %s", error->message);
      else
        {
          RidgeImage img = {
            .width = frame->width,
            .height = frame->height,
            .dpi = frame->dpi,
            .pixels = (guint8 *)g_bytes_get_data (frame->pixels, NULL),
          };

          if (!ridge_image_view_set_image (self->image_view, &img, &error))
            g_warning ("ENROLL_SAMPLE image: %s", error->message);
        }
    }
  if (s->status == RIDGE_SAMPLE_LIFT_FINGER || s->status == RIDGE_SAMPLE_TIMEOUT)
    quality = g_strdup ("");
  else
    /* Translators: image quality of a sample, 0..100 */
    quality = g_strdup_printf (_ ("Quality %u"), s->quality);
  gtk_label_set_label (self->quality_label, quality);
  if (self->accepted >= self->samples)
    {
      self->state = RIDGE_ENROLL_COMPLETE;
      set_message (self, _ ("All samples are in. Commit to store the finger."));
    }
  else
    set_message (self, sample_sentence (s->status));
  update_progress (self);
  update_actions (self);
}

static void
begun_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  RidgeEnrollPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLL_PAGE (user_data);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      /* Translators: the reason follows */
      g_autofree char *text = g_strdup_printf (_ ("The terminal did not start the "
                                                  "enrollment: %s"), error->message);

      fail (self, text);
      return;
    }
  self->enroll_id = body.enroll_begun.enroll_id;
  if (self->state == RIDGE_ENROLL_STARTING)
    {
      self->state = RIDGE_ENROLL_CAPTURING;
      set_message (self, _ ("Place your finger on the sensor."));
      update_progress (self);
      update_actions (self);
    }
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *param)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (widget);
  const char *user = gtk_editable_get_text (GTK_EDITABLE (self->user_row));
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  guint finger = ridge_hand_diagram_get_selected (self->hands);
  RidgeWireMsg body = { 0 };
  g_autofree char *user_id = g_strstrip (g_strdup (user));
  const char *problem = NULL;

  if (self->state != RIDGE_ENROLL_IDLE || !item_ready (self))
    return;
  if (*user_id == '\0')
    problem = _ ("Enter the user id.");
  else if (strlen (user_id) > RIDGE_WIRE_STR_MAX)
    problem = _ ("The user id is too long (at most 255 bytes).");
  else if (strlen (name) > RIDGE_WIRE_STR_MAX)
    problem = _ ("The name is too long (at most 255 bytes).");
  else if (finger < 1 || finger > RIDGE_FINGER_MAX)
    problem = _ ("Choose the finger to enroll on the hands.");
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), problem != NULL);
  if (problem != NULL)
    {
      gtk_label_set_label (self->form_error_label, problem);
      return;
    }

  g_free (self->user_id);
  self->user_id = g_steal_pointer (&user_id);
  g_free (self->name);
  self->name = g_strdup (*name != '\0' ? name : self->user_id);
  self->finger = finger;
  self->samples = CLAMP ((guint)gtk_spin_button_get_value_as_int (self->samples_spin), 1,
                         MAX_SAMPLES);
  self->accepted = 0;
  self->enroll_id = 0;
  self->state = RIDGE_ENROLL_STARTING;
  self->session = RIDGE_SESSION (g_object_ref (ridge_terminal_item_get_session (self->item)));
  self->sample_handler = g_signal_connect_object (self->session, "enroll-sample",
                                                  G_CALLBACK (enroll_sample_cb), self,
                                                  G_CONNECT_SWAPPED);
  self->cancellable = g_cancellable_new ();

  ridge_image_view_set_image (self->image_view, NULL, NULL);
  gtk_label_set_label (self->quality_label, "");
  set_message (self, _ ("Place your finger on the sensor."));
  update_progress (self);
  show_page (self);

  body.enroll_begin.user_id.ptr = self->user_id;
  body.enroll_begin.user_id.len = strlen (self->user_id);
  body.enroll_begin.finger = finger;
  body.enroll_begin.samples = self->samples;
  body.enroll_begin.timeout_ms = 0;
  ridge_session_request_async (self->session, RIDGE_MSG_ENROLL_BEGIN, &body, 0,
                               self->cancellable, begun_cb, self);
}

static void commit (RidgeEnrollPage *self,
                    gboolean         allow_duplicate);

static void
duplicate_response_cb (RidgeEnrollPage  *self,
                       const char       *response,
                       AdwMessageDialog *dialog)
{
  if (self->duplicate_dialog != dialog)
    return;
  self->duplicate_dialog = NULL;
  if (g_strcmp0 (response, "enroll") == 0 && self->state == RIDGE_ENROLL_DUPLICATE)
    commit (self, TRUE);
  else if (self->state == RIDGE_ENROLL_DUPLICATE)
    {
      abort_enrollment (self, TRUE);
      show_page (self);
    }
}

static void
ask_duplicate (RidgeEnrollPage *self,
               const char      *owner)
{
  const char *finger = ridge_finger_name (self->finger);
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;

  self->state = RIDGE_ENROLL_DUPLICATE;
  /* Translators: the terminal's sentence naming the record that has this finger, then the
   * user id and the finger being enrolled */
  body = g_strdup_printf (_ ("%s\n\nEnroll it anyway for “%s” (%s)?"), owner, self->user_id,
                          finger != NULL ? finger : "");
  dialog = ridge_app_ask (GTK_WIDGET (self), _ ("Finger Already Enrolled"), body, "enroll",
                          _ ("_Enroll Anyway"), FALSE, NULL);
  g_signal_connect_object (dialog, "response", G_CALLBACK (duplicate_response_cb), self,
                           G_CONNECT_SWAPPED);
  self->duplicate_dialog = dialog;
  set_message (self, _ ("This finger is already enrolled on the terminal."));
  update_actions (self);
}

static void
committed_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RidgeEnrollPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  g_autofree char *text = NULL;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_ENROLL_PAGE (user_data);
  if (msg == NULL && g_error_matches (error, RIDGE_ERROR, RIDGE_ERROR_DUPLICATE))
    {
      ask_duplicate (self, error->message);
      return;
    }
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      /* Translators: the reason follows */
      text = g_strdup_printf (_ ("The terminal did not store the finger: %s"), error->message);
      fail (self, text);
      return;
    }
  /* Translators: finger name, user id, record id */
  text = g_strdup_printf (_ ("%s of “%s” enrolled as record %u."),
                          ridge_finger_name (self->finger), self->user_id, body.template_info.id);
  /* the enrollment ended on the terminal with this answer: nothing to cancel */
  abort_enrollment (self, FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), FALSE);
  show_page (self);
  ridge_app_toast (GTK_WIDGET (self), text);
  refresh_list (self);
  g_signal_emit (self, signals[SIGNAL_ENROLLED], 0);
}

static void
commit (RidgeEnrollPage *self,
        gboolean         allow_duplicate)
{
  RidgeWireMsg body = { 0 };

  if (self->session == NULL)
    return;
  self->state = RIDGE_ENROLL_COMMITTING;
  set_message (self, _ ("Storing the finger…"));
  update_actions (self);
  body.enroll_commit.enroll_id = self->enroll_id;
  body.enroll_commit.flags = allow_duplicate ? RIDGE_COMMIT_ALLOW_DUPLICATE : 0;
  body.enroll_commit.name.ptr = self->name;
  body.enroll_commit.name.len = strlen (self->name);
  ridge_session_request_async (self->session, RIDGE_MSG_ENROLL_COMMIT, &body, 0,
                               self->cancellable, committed_cb, self);
}

static void
commit_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (widget);

  if (self->state == RIDGE_ENROLL_COMPLETE)
    commit (self, FALSE);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (widget);

  abort_enrollment (self, TRUE);
  show_page (self);
}

/* ---- the item ------------------------------------------------------------------------- */

static void
item_state_cb (RidgeEnrollPage *self)
{
  if (!item_ready (self) && self->state != RIDGE_ENROLL_IDLE)
    {
      /* the terminal cancels an enrollment whose connection closed */
      abort_enrollment (self, FALSE);
      gtk_label_set_label (self->form_error_label,
                           _ ("The link to the terminal was lost; the enrollment was "
                              "cancelled."));
      gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), TRUE);
    }
  if (item_ready (self) && self->templates == NULL)
    refresh_list (self);
  show_page (self);
}

void
ridge_enroll_page_set_item (RidgeEnrollPage   *self,
                            RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_ENROLL_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  abort_enrollment (self, TRUE);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_set_object (&self->item, item);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), FALSE);
  if (item != NULL)
    self->state_handler = g_signal_connect_object (item, "notify::state",
                                                   G_CALLBACK (item_state_cb), self,
                                                   G_CONNECT_SWAPPED);
  refresh_list (self);
  show_page (self);
}

void
ridge_enroll_page_set_user (RidgeEnrollPage *self,
                            const char      *user_id,
                            const char      *name)
{
  g_return_if_fail (RIDGE_IS_ENROLL_PAGE (self));
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user_id != NULL ? user_id : "");
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name != NULL ? name : "");
}

void
ridge_enroll_page_set_finger (RidgeEnrollPage *self,
                              guint            finger)
{
  g_return_if_fail (RIDGE_IS_ENROLL_PAGE (self));
  ridge_hand_diagram_set_selected (self->hands, finger <= RIDGE_FINGER_MAX ? finger : 0);
}

void
ridge_enroll_page_set_samples (RidgeEnrollPage *self,
                               guint            samples)
{
  g_return_if_fail (RIDGE_IS_ENROLL_PAGE (self));
  gtk_spin_button_set_value (self->samples_spin, CLAMP (samples, 1, MAX_SAMPLES));
}

RidgeEnrollState
ridge_enroll_page_get_state (RidgeEnrollPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLL_PAGE (self), RIDGE_ENROLL_IDLE);
  return self->state;
}

guint
ridge_enroll_page_get_accepted (RidgeEnrollPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLL_PAGE (self), 0);
  return self->accepted;
}

const char *
ridge_enroll_page_get_message (RidgeEnrollPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLL_PAGE (self), NULL);
  if (self->state == RIDGE_ENROLL_IDLE)
    return gtk_widget_get_visible (GTK_WIDGET (self->form_error_label))
           ? gtk_label_get_label (self->form_error_label) : "";
  return gtk_label_get_label (self->message_label);
}

guint
ridge_enroll_page_get_enrolled_mask (RidgeEnrollPage *self)
{
  g_autofree char *user = NULL;

  g_return_val_if_fail (RIDGE_IS_ENROLL_PAGE (self), 0);
  user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->user_row))));
  return ridge_app_finger_mask (self->templates, user);
}

AdwMessageDialog *
ridge_enroll_page_get_duplicate_dialog (RidgeEnrollPage *self)
{
  g_return_val_if_fail (RIDGE_IS_ENROLL_PAGE (self), NULL);
  return self->duplicate_dialog;
}

static void
form_changed_cb (RidgeEnrollPage *self)
{
  if (self->hands == NULL)
    return;
  gtk_widget_set_visible (GTK_WIDGET (self->form_error_label), FALSE);
  update_enrolled (self);
}

static void
ridge_enroll_page_map (GtkWidget *widget)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (widget);

  GTK_WIDGET_CLASS (ridge_enroll_page_parent_class)->map (widget);
  if (self->state == RIDGE_ENROLL_IDLE)
    refresh_list (self);
}

static void
ridge_enroll_page_unroot (GtkWidget *widget)
{
  /* the window closes (or the page leaves it): nothing may stay half-enrolled */
  abort_enrollment (RIDGE_ENROLL_PAGE (widget), TRUE);
  GTK_WIDGET_CLASS (ridge_enroll_page_parent_class)->unroot (widget);
}

static void
ridge_enroll_page_dispose (GObject *object)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (object);

  abort_enrollment (self, TRUE);
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_ENROLL_PAGE);
  G_OBJECT_CLASS (ridge_enroll_page_parent_class)->dispose (object);
}

static void
ridge_enroll_page_finalize (GObject *object)
{
  RidgeEnrollPage *self = RIDGE_ENROLL_PAGE (object);

  g_free (self->user_id);
  g_free (self->name);
  G_OBJECT_CLASS (ridge_enroll_page_parent_class)->finalize (object);
}

static void
ridge_enroll_page_class_init (RidgeEnrollPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_enroll_page_dispose;
  object_class->finalize = ridge_enroll_page_finalize;
  widget_class->map = ridge_enroll_page_map;
  widget_class->unroot = ridge_enroll_page_unroot;

  /** RidgeEnrollPage::enrolled: a finger was stored on the terminal */
  signals[SIGNAL_ENROLLED] =
    g_signal_new ("enrolled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);

  g_type_ensure (RIDGE_TYPE_HAND_DIAGRAM);
  g_type_ensure (RIDGE_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-enroll-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, status_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, user_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, name_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, samples_spin);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, hands);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, finger_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, form_error_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, step_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, image_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, quality_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, message_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeEnrollPage, progress);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_install_action (widget_class, "enroll.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "enroll.commit", NULL, commit_action);
  gtk_widget_class_install_action (widget_class, "enroll.cancel", NULL, cancel_action);
}

static void
ridge_enroll_page_init (RidgeEnrollPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_spin_button_set_value (self->samples_spin, RIDGE_ENROLL_DEFAULT_SAMPLES);
  update_enrolled (self);
  show_page (self);
}

GtkWidget *
ridge_enroll_page_new (void)
{
  return g_object_new (RIDGE_TYPE_ENROLL_PAGE, NULL);
}
