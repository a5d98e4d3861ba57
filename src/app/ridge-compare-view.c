/* ridge-compare-view.c — one frame, two extractors side by side: Ridge's engine and NBIS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-compare-view"

#include "config.h"

#include "ridge-compare-view.h"

#include <glib/gi18n.h>
#include <math.h>

#ifdef RIDGE_APP_HAVE_LIBFPRINT
#include <fprint.h>
#endif

struct _RidgeCompareView {
  AdwBin parent_instance;

  RidgeImageView *views[2];
  GtkLabel       *count_labels[2];
  GtkLabel       *summary_label;

  RidgeImage    image;            /* owned pixels */
  RidgeMinutia *minutiae[2];
  int           counts[2];        /* -1 unknown */
  char         *errors[2];
  double        agreement[2];     /* -1 unknown */
  char         *summary;
  guint         generation;
  guint         running;
  GCancellable *cancellable;
  gboolean      syncing;
};

G_DEFINE_FINAL_TYPE (RidgeCompareView, ridge_compare_view, ADW_TYPE_BIN);

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

gboolean
ridge_compare_view_nbis_available (void)
{
#ifdef RIDGE_APP_HAVE_LIBFPRINT
  return TRUE;
#else
  return FALSE;
#endif
}

const char *
ridge_compare_view_unavailable_reason (void)
{
  if (ridge_compare_view_nbis_available ())
    return NULL;
  return _ ("The comparison with NBIS needs libfprint, and this build of Ridge was made "
            "without it.");
}

void
ridge_compare_minutiae (const RidgeMinutia *a,
                        guint               n_a,
                        const RidgeMinutia *b,
                        guint               n_b,
                        double              radius,
                        guint8             *a_marks,
                        guint8             *b_marks,
                        guint              *a_hits,
                        guint              *b_hits)
{
  double r2 = radius * radius;
  guint ha = 0, hb = 0;

  /* a few hundred minutiae a side at most: the plain double loop is fast enough */
  for (guint i = 0; i < n_a; i++)
    {
      gboolean hit = FALSE;

      for (guint j = 0; j < n_b && !hit; j++)
        {
          double dx = a[i].x - b[j].x, dy = a[i].y - b[j].y;

          hit = dx * dx + dy * dy <= r2;
        }
      ha += hit;
      if (a_marks != NULL)
        a_marks[i] = hit ? RIDGE_MINUTIA_MARK_MATCHED : RIDGE_MINUTIA_MARK_UNMATCHED;
    }
  for (guint j = 0; j < n_b; j++)
    {
      gboolean hit = FALSE;

      for (guint i = 0; i < n_a && !hit; i++)
        {
          double dx = a[i].x - b[j].x, dy = a[i].y - b[j].y;

          hit = dx * dx + dy * dy <= r2;
        }
      hb += hit;
      if (b_marks != NULL)
        b_marks[j] = hit ? RIDGE_MINUTIA_MARK_MATCHED : RIDGE_MINUTIA_MARK_UNMATCHED;
    }
  if (a_hits != NULL)
    *a_hits = ha;
  if (b_hits != NULL)
    *b_hits = hb;
}

/* ---- results ------------------------------------------------------------------------- */

static void
set_summary (RidgeCompareView *self,
             char             *text)
{
  g_free (self->summary);
  self->summary = text;
  gtk_label_set_label (self->summary_label, text);
}

static void
update_count_label (RidgeCompareView *self,
                    RidgeCompareSide  side)
{
  g_autofree char *text = NULL;

  if (self->errors[side] != NULL)
    text = g_strdup (self->errors[side]);
  else if (self->counts[side] < 0)
    text = g_strdup (_ ("Extracting…"));
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minutia", "%d minutiae",
                                         self->counts[side]),
                            self->counts[side]);
  gtk_label_set_label (self->count_labels[side], text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->count_labels[side]), text);
}

static void
update_results (RidgeCompareView *self)
{
  update_count_label (self, RIDGE_COMPARE_RIDGE);
  update_count_label (self, RIDGE_COMPARE_NBIS);

  if (self->counts[0] >= 0 && self->counts[1] >= 0)
    {
      guint n0 = self->counts[0], n1 = self->counts[1];
      g_autofree guint8 *marks0 = g_new0 (guint8, MAX (n0, 1));
      g_autofree guint8 *marks1 = g_new0 (guint8, MAX (n1, 1));
      guint hits0 = 0, hits1 = 0;

      ridge_compare_minutiae (self->minutiae[0], n0, self->minutiae[1], n1,
                              RIDGE_COMPARE_RADIUS, marks0, marks1, &hits0, &hits1);
      for (guint j = 0; j < n1; j++)
        marks1[j] |= RIDGE_MINUTIA_MARK_POSITION_ONLY;
      ridge_image_view_set_minutia_marks (self->views[0], marks0, n0);
      ridge_image_view_set_minutia_marks (self->views[1], marks1, n1);
      self->agreement[0] = n0 > 0 ? (double)hits0 / n0 : 0;
      self->agreement[1] = n1 > 0 ? (double)hits1 / n1 : 0;
      set_summary (self, g_strdup_printf (
                     /* Translators: agreement of two minutiae extractors; %.0f %% is a share */
                     _ ("Agreement within %.0f pixels: %.0f %% of NBIS's minutiae have one of "
                        "Ridge's nearby (%u of %u); %.0f %% of Ridge's have one of NBIS's "
                        "(%u of %u)."),
                     RIDGE_COMPARE_RADIUS, 100.0 * self->agreement[1], hits1, n1,
                     100.0 * self->agreement[0], hits0, n0));
    }
  else if (self->running == 0)
    set_summary (self, g_strdup (_ ("No agreement: one of the extractors found nothing to "
                                    "compare.")));
  else
    set_summary (self, g_strdup (_ ("Extracting the minutiae of both…")));
}

static void
finish_side (RidgeCompareView *self,
             RidgeCompareSide  side,
             RidgeMinutia     *minutiae,
             int               count,
             char             *error)
{
  g_clear_pointer (&self->minutiae[side], g_free);
  g_clear_pointer (&self->errors[side], g_free);
  self->minutiae[side] = minutiae;
  self->counts[side] = count;
  self->errors[side] = error;
  ridge_image_view_set_minutiae (self->views[side], minutiae, MAX (count, 0));
  if (side == RIDGE_COMPARE_NBIS && count > 0)
    {
      g_autofree guint8 *marks = g_new (guint8, count);

      memset (marks, RIDGE_MINUTIA_MARK_NONE | RIDGE_MINUTIA_MARK_POSITION_ONLY, count);
      ridge_image_view_set_minutia_marks (self->views[side], marks, count);
    }
  g_assert (self->running > 0);
  self->running--;
  update_results (self);
  if (self->running == 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* ---- Ridge's engine (worker thread) --------------------------------------------------- */

typedef struct {
  RidgeImage    image;
  guint         generation;
  RidgeMinutia *minutiae;
  int           count;
  int           result;
} RidgeJob;

static void
ridge_job_free (gpointer data)
{
  RidgeJob *job = data;

  g_free (job->image.pixels);
  g_free (job->minutiae);
  g_free (job);
}

static void
ridge_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  RidgeJob *job = task_data;
  RidgeFeatures *features = NULL;

  job->result = ridge_extract (&job->image, NULL, &features);
  if (job->result == RIDGE_ENGINE_OK)
    {
      job->count = ridge_features_n_minutiae (features);
      job->minutiae = g_memdup2 (ridge_features_minutiae (features),
                                 sizeof (RidgeMinutia) * MAX (job->count, 1));
      ridge_features_free (features);
    }
  g_task_return_boolean (task, TRUE);
}

static void
ridge_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RidgeCompareView *self = RIDGE_COMPARE_VIEW (source);
  RidgeJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;   /* cancelled: a newer frame or the view is going away */
  if (job->generation != self->generation)
    return;
  if (job->result == RIDGE_ENGINE_OK)
    finish_side (self, RIDGE_COMPARE_RIDGE, g_steal_pointer (&job->minutiae), job->count, NULL);
  else
    finish_side (self, RIDGE_COMPARE_RIDGE, NULL, -1,
                 g_strdup (job->result == RIDGE_ENGINE_E_NO_PRINT
                           ? _ ("Ridge found no fingerprint in this image.")
                           : _ ("Ridge could not extract the minutiae of this image.")));
}

/* ---- NBIS through libfprint ----------------------------------------------------------- */

#ifdef RIDGE_APP_HAVE_LIBFPRINT
typedef struct {
  RidgeCompareView *self;   /* a reference */
  guint             generation;
} NbisJob;

static void
nbis_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  NbisJob *job = user_data;
  RidgeCompareView *self = job->self;
  g_autoptr (GError) error = NULL;
  guint generation = job->generation;
  GPtrArray *found;
  RidgeMinutia *minutiae;

  g_free (job);
  if (!fp_image_detect_minutiae_finish (FP_IMAGE (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && generation == self->generation)
        finish_side (self, RIDGE_COMPARE_NBIS, NULL, -1,
                     g_strdup_printf (_ ("NBIS could not extract the minutiae: %s"),
                                      error->message));
      g_object_unref (self);
      return;
    }
  if (generation != self->generation)
    {
      g_object_unref (self);
      return;
    }
  found = fp_image_get_minutiae (FP_IMAGE (source));
  minutiae = g_new0 (RidgeMinutia, found != NULL ? MAX (found->len, 1) : 1);
  for (guint i = 0; found != NULL && i < found->len && i < RIDGE_MAX_MINUTIAE; i++)
    {
      int x = 0, y = 0;

      /* libfprint's public API gives positions only: no direction, type or quality */
      fp_minutia_get_coords (g_ptr_array_index (found, i), &x, &y);
      minutiae[i].x = x;
      minutiae[i].y = y;
      minutiae[i].type = RIDGE_MINUTIA_OTHER;
      minutiae[i].quality = 100;
    }
  finish_side (self, RIDGE_COMPARE_NBIS, minutiae,
               found != NULL ? MIN ((int)found->len, RIDGE_MAX_MINUTIAE) : 0, NULL);
  g_object_unref (self);
}

static void
start_nbis (RidgeCompareView *self)
{
  g_autoptr (FpImage) fimg = fp_image_new (self->image.width, self->image.height);
  gsize len = 0;
  guchar *data = (guchar *)fp_image_get_data (fimg, &len);
  NbisJob *job;

  if (data == NULL || len != (gsize)self->image.width * self->image.height)
    {
      finish_side (self, RIDGE_COMPARE_NBIS, NULL, -1,
                   g_strdup (_ ("libfprint could not take this image.")));
      return;
    }
  memcpy (data, self->image.pixels, len);
  job = g_new0 (NbisJob, 1);
  job->self = g_object_ref (self);
  job->generation = self->generation;
  /* libfprint runs the detection in a thread of its own and answers on this main context */
  fp_image_detect_minutiae (fimg, self->cancellable, nbis_done_cb, job);
}
#endif

/* ---- API ----------------------------------------------------------------------------- */

void
ridge_compare_view_set_image (RidgeCompareView *self,
                              const RidgeImage *image)
{
  g_autoptr (GTask) task = NULL;
  RidgeJob *job;
  gboolean was_busy;
  gsize n;

  g_return_if_fail (RIDGE_IS_COMPARE_VIEW (self));
  g_return_if_fail (image != NULL && image->pixels != NULL);
  g_return_if_fail (image->width > 0 && image->height > 0);

  was_busy = self->running > 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  self->running = 0;

  n = (gsize)image->width * image->height;
  g_free (self->image.pixels);
  self->image = *image;
  self->image.pixels = g_memdup2 (image->pixels, n);
  for (int side = 0; side < 2; side++)
    {
      g_clear_pointer (&self->minutiae[side], g_free);
      g_clear_pointer (&self->errors[side], g_free);
      self->counts[side] = -1;
      self->agreement[side] = -1;
      ridge_image_view_set_image (self->views[side], &self->image, NULL);
    }

  self->running = 2;
  job = g_new0 (RidgeJob, 1);
  job->image = *image;
  job->image.pixels = g_memdup2 (image->pixels, n);
  job->generation = self->generation;
  task = g_task_new (self, self->cancellable, ridge_done_cb, NULL);
  g_task_set_source_tag (task, ridge_compare_view_set_image);
  g_task_set_task_data (task, job, ridge_job_free);
  g_task_run_in_thread (task, ridge_thread);

#ifdef RIDGE_APP_HAVE_LIBFPRINT
  start_nbis (self);
#else
  finish_side (self, RIDGE_COMPARE_NBIS, NULL, -1,
               g_strdup (ridge_compare_view_unavailable_reason ()));
#endif
  update_results (self);
  if (!was_busy && self->running > 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

gboolean
ridge_compare_view_get_busy (RidgeCompareView *self)
{
  g_return_val_if_fail (RIDGE_IS_COMPARE_VIEW (self), FALSE);
  return self->running > 0;
}

int
ridge_compare_view_get_count (RidgeCompareView *self,
                              RidgeCompareSide  side)
{
  g_return_val_if_fail (RIDGE_IS_COMPARE_VIEW (self), -1);
  g_return_val_if_fail (side <= RIDGE_COMPARE_NBIS, -1);
  return self->counts[side];
}

double
ridge_compare_view_get_agreement (RidgeCompareView *self,
                                  RidgeCompareSide  side)
{
  g_return_val_if_fail (RIDGE_IS_COMPARE_VIEW (self), -1);
  g_return_val_if_fail (side <= RIDGE_COMPARE_NBIS, -1);
  return self->agreement[side];
}

const char *
ridge_compare_view_get_summary (RidgeCompareView *self)
{
  g_return_val_if_fail (RIDGE_IS_COMPARE_VIEW (self), NULL);
  return self->summary;
}

RidgeImageView *
ridge_compare_view_get_view (RidgeCompareView *self,
                             RidgeCompareSide  side)
{
  g_return_val_if_fail (RIDGE_IS_COMPARE_VIEW (self), NULL);
  g_return_val_if_fail (side <= RIDGE_COMPARE_NBIS, NULL);
  return self->views[side];
}

/* the user zoomed or panned one side: the other follows */
static void
view_changed_cb (RidgeCompareView *self,
                 RidgeImageView   *view)
{
  RidgeImageView *other = view == self->views[0] ? self->views[1] : self->views[0];
  double x, y;

  ridge_image_view_get_offset (view, &x, &y);
  ridge_image_view_set_view (other, ridge_image_view_get_fit (view),
                             ridge_image_view_get_zoom (view), x, y);
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
ridge_compare_view_dispose (GObject *object)
{
  RidgeCompareView *self = RIDGE_COMPARE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  adw_bin_set_child (ADW_BIN (self), NULL);
  G_OBJECT_CLASS (ridge_compare_view_parent_class)->dispose (object);
}

static void
ridge_compare_view_finalize (GObject *object)
{
  RidgeCompareView *self = RIDGE_COMPARE_VIEW (object);

  g_free (self->image.pixels);
  for (int side = 0; side < 2; side++)
    {
      g_free (self->minutiae[side]);
      g_free (self->errors[side]);
    }
  g_free (self->summary);
  G_OBJECT_CLASS (ridge_compare_view_parent_class)->finalize (object);
}

static void
ridge_compare_view_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  RidgeCompareView *self = RIDGE_COMPARE_VIEW (object);

  switch (prop_id)
    {
      case PROP_BUSY:
        g_value_set_boolean (value, self->running > 0);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_compare_view_class_init (RidgeCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_compare_view_dispose;
  object_class->finalize = ridge_compare_view_finalize;
  object_class->get_property = ridge_compare_view_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static GtkWidget *
make_column (RidgeCompareView *self,
             RidgeCompareSide  side,
             const char       *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name = gtk_label_new (title);
  GtkWidget *count = gtk_label_new (NULL);
  GtkWidget *view = ridge_image_view_new ();

  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (count), 0);
  /* one line on both sides, so both views get the same height and stay in step */
  gtk_label_set_ellipsize (GTK_LABEL (count), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (count, TRUE);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_top (header, 6);
  gtk_box_append (GTK_BOX (header), name);
  gtk_box_append (GTK_BOX (header), count);
  gtk_widget_set_hexpand (view, TRUE);
  gtk_widget_set_vexpand (view, TRUE);
  ridge_image_view_set_overlays (RIDGE_IMAGE_VIEW (view), RIDGE_OVERLAY_MINUTIAE);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), view);
  self->views[side] = RIDGE_IMAGE_VIEW (view);
  self->count_labels[side] = GTK_LABEL (count);
  g_signal_connect_object (view, "view-changed", G_CALLBACK (view_changed_cb), self,
                           G_CONNECT_SWAPPED);
  return box;
}

static void
ridge_compare_view_init (RidgeCompareView *self)
{
  GtkWidget *outer = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *columns = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *summary = gtk_label_new (NULL);
  GtkWidget *legend = gtk_label_new (_ ("Green: a minutia of the other extractor lies within "
                                        "8 pixels. Magenta: none does. NBIS gives positions "
                                        "only (no direction)."));

  gtk_box_set_homogeneous (GTK_BOX (columns), TRUE);
  gtk_widget_set_vexpand (columns, TRUE);
  gtk_box_append (GTK_BOX (columns), make_column (self, RIDGE_COMPARE_RIDGE,
                                                  _ ("Ridge")));
  gtk_box_append (GTK_BOX (columns), make_column (self, RIDGE_COMPARE_NBIS,
                                                  _ ("NBIS (libfprint)")));
  gtk_label_set_wrap (GTK_LABEL (summary), TRUE);
  gtk_label_set_xalign (GTK_LABEL (summary), 0);
  gtk_widget_set_margin_start (summary, 12);
  gtk_widget_set_margin_end (summary, 12);
  gtk_widget_set_margin_top (summary, 6);
  gtk_label_set_wrap (GTK_LABEL (legend), TRUE);
  gtk_label_set_xalign (GTK_LABEL (legend), 0);
  gtk_widget_add_css_class (legend, "caption");
  gtk_widget_add_css_class (legend, "dim-label");
  gtk_widget_set_margin_start (legend, 12);
  gtk_widget_set_margin_end (legend, 12);
  gtk_widget_set_margin_bottom (legend, 6);
  gtk_box_append (GTK_BOX (outer), columns);
  gtk_box_append (GTK_BOX (outer), summary);
  gtk_box_append (GTK_BOX (outer), legend);
  adw_bin_set_child (ADW_BIN (self), outer);
  self->summary_label = GTK_LABEL (summary);
  self->cancellable = g_cancellable_new ();
  self->counts[0] = self->counts[1] = -1;
  self->agreement[0] = self->agreement[1] = -1;
  update_count_label (self, RIDGE_COMPARE_RIDGE);
  update_count_label (self, RIDGE_COMPARE_NBIS);
}

GtkWidget *
ridge_compare_view_new (void)
{
  return g_object_new (RIDGE_TYPE_COMPARE_VIEW, NULL);
}
