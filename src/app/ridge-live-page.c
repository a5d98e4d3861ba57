/* ridge-live-page.c — what the sensor sees: image, overlays, quality, placement hints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-live-page"

#include "config.h"

#include "ridge-live-page.h"

#include <glib/gi18n.h>
#include <string.h>

#include "core/ridge-image-io.h"
#include "ridge-compare-view.h"
#include "ridge-sensor-panel.h"

/* arrival times kept for the frame rate */
#define FPS_WINDOW 64

struct _RidgeLivePage {
  AdwBin parent_instance;

  GtkStack         *stack;
  AdwStatusPage    *empty_page;
  GtkStack         *view_stack;
  RidgeImageView   *image_view;
  RidgeCompareView *compare_view;
  GtkToggleButton  *compare_button;
  RidgeSensorPanel *sensor_panel;
  GtkLabel         *source_label;
  GtkLabel         *quality_label;
  GtkLevelBar      *quality_bar;
  GtkLabel         *hint_label;
  GtkLabel         *fps_label;
  GtkLabel         *dropped_label;
  GtkCheckButton   *minutiae_check;
  GtkCheckButton   *orientation_check;
  GtkCheckButton   *quality_check;
  GtkCheckButton   *foreground_check;
  GtkCheckButton   *binary_check;
  GtkCheckButton   *skeleton_check;

  /* the frame on screen, kept for "Save Frame" */
  RidgeImage frame;
  gboolean   paused;
  guint64    dropped;
  guint64    skipped_while_paused;
  gint64     arrivals[FPS_WINDOW];
  guint      n_arrivals;
  guint      arrivals_head;

  GCancellable         *cancellable;
  GtkFileChooserNative *chooser;

  RidgeTerminalItem *item;
  gulong             frame_handler;
  gulong             state_handler;

  /* feature extraction for the map overlays and the placement hints: one job in flight,
   * the newest frame waiting */
  gboolean      analyzing;
  gpointer      pending;                  /* AnalysisJob */
  RidgeMinutia *cur_minutiae;             /* the shown frame's own minutiae and quality */
  guint         cur_n_minutiae;
  int           cur_quality;
  gboolean      cur_has_maps;
  gboolean      hints_follow;             /* the engine's hints for this frame come later */
  gboolean      paused_by_compare;        /* the comparison froze the stream, not the user */
  gint64        shown_time_us;            /* arrival of the frame on screen (0 from a file) */
  guint64       n_shown;
};

G_DEFINE_FINAL_TYPE (RidgeLivePage, ridge_live_page, ADW_TYPE_BIN);

enum {
  PROP_0,
  PROP_PAUSED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
ridge_live_page_hints_text (guint hints)
{
  static const struct {
    guint       bit;
    const char *text;
  } sentences[] = {
    { RIDGE_HINT_MOVE_LEFT, N_ ("Move the finger to the left.") },
    { RIDGE_HINT_MOVE_RIGHT, N_ ("Move the finger to the right.") },
    { RIDGE_HINT_MOVE_UP, N_ ("Move the finger up.") },
    { RIDGE_HINT_MOVE_DOWN, N_ ("Move the finger down.") },
    { RIDGE_HINT_TOO_SMALL, N_ ("Too little of the finger touches the sensor: press flatter.") },
    { RIDGE_HINT_TOO_DARK, N_ ("The image is too dark: the finger is wet or pressed too hard.") },
    { RIDGE_HINT_TOO_LIGHT,
      N_ ("The image is too light: the finger is dry or pressed too lightly.") },
    { RIDGE_HINT_SMUDGED, N_ ("The ridges are smudged: keep the finger still.") },
  };
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (sentences); i++)
    if (hints & sentences[i].bit)
      {
        if (s->len > 0)
          g_string_append_c (s, '\n');
        g_string_append (s, _ (sentences[i].text));
      }
  return g_string_free (s, FALSE);
}

static void
update_fps_label (RidgeLivePage *self)
{
  g_autofree char *fps = NULL;
  g_autofree char *dropped = NULL;
  double rate = ridge_live_page_get_fps (self);

  if (rate > 0)
    /* Translators: frames per second */
    fps = g_strdup_printf (_ ("%.1f fps"), rate);
  else
    fps = g_strdup (_ ("— fps"));
  if (g_strcmp0 (gtk_label_get_label (self->fps_label), fps) != 0)
    gtk_label_set_label (self->fps_label, fps);
  {
    g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, self->dropped);

    /* Translators: %s is a number of frames */
    dropped = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s dropped", "%s dropped",
                                            (gulong)MIN (self->dropped, G_MAXULONG)),
                               number);
  }
  if (g_strcmp0 (gtk_label_get_label (self->dropped_label), dropped) != 0)
    gtk_label_set_label (self->dropped_label, dropped);
}

double
ridge_live_page_get_fps (RidgeLivePage *self)
{
  gint64 newest, oldest;
  guint n = 0;

  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), 0);

  if (self->n_arrivals < 2)
    return 0;
  newest = self->arrivals[(self->arrivals_head + self->n_arrivals - 1) % FPS_WINDOW];
  oldest = newest;
  /* frames that arrived within the second before the newest one */
  for (guint i = 0; i < self->n_arrivals; i++)
    {
      gint64 t = self->arrivals[(self->arrivals_head + i) % FPS_WINDOW];

      if (newest - t <= G_USEC_PER_SEC)
        {
          oldest = MIN (oldest, t);
          n++;
        }
    }
  if (n < 2 || newest == oldest)
    return 0;
  return (n - 1) * (double)G_USEC_PER_SEC / (double)(newest - oldest);
}

static void
record_arrival (RidgeLivePage *self,
                gint64         t)
{
  if (self->n_arrivals < FPS_WINDOW)
    self->arrivals[(self->arrivals_head + self->n_arrivals++) % FPS_WINDOW] = t;
  else
    {
      self->arrivals[self->arrivals_head] = t;
      self->arrivals_head = (self->arrivals_head + 1) % FPS_WINDOW;
    }
}

/* The engine extracts maps only while a map overlay is on, so a map check must be
 * sensitive whenever there is a frame to analyse (switching it on starts the analysis),
 * and an active one stays sensitive so that it can be switched off. */
static void
sync_map_check (RidgeLivePage  *self,
                GtkCheckButton *check,
                RidgeMapKind    kind)
{
  gtk_widget_set_sensitive (GTK_WIDGET (check),
                            self->frame.pixels != NULL
                            || gtk_check_button_get_active (check)
                            || ridge_image_view_has_map (self->image_view, kind));
}

static void
sync_overlay_sensitivity (RidgeLivePage *self)
{
  RidgeImageView *v = self->image_view;

  gtk_widget_set_sensitive (GTK_WIDGET (self->minutiae_check),
                            ridge_image_view_get_n_minutiae (v) > 0);
  sync_map_check (self, self->orientation_check, RIDGE_MAP_ORIENTATION);
  sync_map_check (self, self->quality_check, RIDGE_MAP_QUALITY);
  sync_map_check (self, self->foreground_check, RIDGE_MAP_FOREGROUND);
  sync_map_check (self, self->binary_check, RIDGE_MAP_BINARY);
  sync_map_check (self, self->skeleton_check, RIDGE_MAP_SKELETON);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "live.save", self->frame.pixels != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->compare_button),
                            ridge_compare_view_nbis_available () && self->frame.pixels != NULL);
}

static gboolean maps_wanted (RidgeLivePage *self);
static gpointer analysis_job_new_ptr (const RidgeLiveFrame *frame,
                                      gboolean              show);
static void     start_analysis_ptr (RidgeLivePage *self,
                                    gpointer       job);
static void     analysis_job_free (gpointer data);

static void
overlay_toggled_cb (RidgeLivePage  *self,
                    GtkCheckButton *check)
{
  RidgeOverlays o = RIDGE_OVERLAY_PAIRS;

  if (gtk_check_button_get_active (self->minutiae_check))
    o |= RIDGE_OVERLAY_MINUTIAE;
  if (gtk_check_button_get_active (self->orientation_check))
    o |= RIDGE_OVERLAY_ORIENTATION;
  if (gtk_check_button_get_active (self->quality_check))
    o |= RIDGE_OVERLAY_QUALITY;
  if (gtk_check_button_get_active (self->foreground_check))
    o |= RIDGE_OVERLAY_FOREGROUND;
  if (gtk_check_button_get_active (self->binary_check))
    o |= RIDGE_OVERLAY_BINARY;
  if (gtk_check_button_get_active (self->skeleton_check))
    o |= RIDGE_OVERLAY_SKELETON;
  ridge_image_view_set_overlays (self->image_view, o);

  /* a map overlay was switched on for a frame that has none (paused, or from a file) */
  if (check != NULL && self->frame.pixels != NULL && !self->cur_has_maps && maps_wanted (self))
    {
      RidgeLiveFrame frame = {
        .image = &self->frame, .minutiae = self->cur_minutiae,
        .n_minutiae = self->cur_n_minutiae, .quality = self->cur_quality,
      };

      start_analysis_ptr (self, analysis_job_new_ptr (&frame, TRUE));
    }
}

static void
show_toast (RidgeLivePage *self,
            const char    *message)
{
  /* The window owns the toast overlay; without one (tests) the message goes to the log. */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_message ("%s", message);
}

static gboolean show_frame (RidgeLivePage        *self,
                            const RidgeLiveFrame *frame,
                            GError              **error);

gboolean
ridge_live_page_push_frame (RidgeLivePage        *self,
                            const RidgeLiveFrame *frame,
                            GError              **error)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), FALSE);
  g_return_val_if_fail (frame != NULL && frame->image != NULL, FALSE);

  record_arrival (self, frame->time_us != 0 ? frame->time_us : g_get_monotonic_time ());
  if (self->paused)
    {
      /* a paused page stays still: no relayout, nothing changes under the user's eyes */
      self->skipped_while_paused++;
      return TRUE;
    }
  return show_frame (self, frame, error);
}

static gboolean
show_frame (RidgeLivePage        *self,
            const RidgeLiveFrame *frame,
            GError              **error)
{
  g_autofree char *hints = NULL;
  g_autofree char *quality = NULL;
  RidgeImage copy = { 0 };

  if (!ridge_image_view_set_image (self->image_view, frame->image, error))
    return FALSE;
  copy.width = frame->image->width;
  copy.height = frame->image->height;
  copy.dpi = frame->image->dpi;
  copy.pixels = g_memdup2 (frame->image->pixels, (gsize)copy.width * copy.height);
  g_free (self->frame.pixels);
  self->frame = copy;
  self->shown_time_us = frame->time_us;
  self->n_shown++;
  /* an image opened while comparing: compare that one */
  if (gtk_toggle_button_get_active (self->compare_button))
    ridge_compare_view_set_image (self->compare_view, &self->frame);

  ridge_image_view_clear_maps (self->image_view);
  ridge_image_view_set_minutiae (self->image_view, frame->minutiae, frame->n_minutiae);
  g_clear_pointer (&self->cur_minutiae, g_free);
  self->cur_n_minutiae = frame->minutiae != NULL ? MIN (frame->n_minutiae, RIDGE_MAX_MINUTIAE) : 0;
  if (self->cur_n_minutiae > 0)
    self->cur_minutiae = g_memdup2 (frame->minutiae, sizeof (RidgeMinutia) * self->cur_n_minutiae);
  self->cur_quality = frame->quality;
  self->cur_has_maps = frame->n_maps > 0;
  for (guint i = 0; i < frame->n_maps; i++)
    {
      g_autoptr (GError) map_error = NULL;

      /* a map that does not fit is left out; the frame itself is still worth showing */
      if (!ridge_image_view_set_map (self->image_view, &frame->maps[i], &map_error))
        g_warning ("Map %d not shown: %s", frame->maps[i].kind, map_error->message);
    }

  if (frame->quality >= 0)
    {
      quality = g_strdup_printf ("%d", CLAMP (frame->quality, 0, 100));
      gtk_level_bar_set_value (self->quality_bar, CLAMP (frame->quality, 0, 100));
    }
  else
    {
      quality = g_strdup ("—");
      gtk_level_bar_set_value (self->quality_bar, 0);
    }
  gtk_label_set_label (self->quality_label, quality);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->quality_label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  frame->quality >= 0 ? quality : _ ("Quality not measured"),
                                  -1);
  hints = ridge_live_page_hints_text (frame->hints);
  if (*hints == '\0' && frame->note == NULL && self->hints_follow)
    ;   /* keep the last sentence until the engine has looked at this frame */
  else if (*hints == '\0' && frame->note != NULL)
    gtk_label_set_label (self->hint_label, frame->note);
  else if (*hints == '\0' && frame->quality >= 0)
    gtk_label_set_label (self->hint_label, _ ("Placement is good."));
  else
    gtk_label_set_label (self->hint_label, hints);

  update_fps_label (self);
  sync_overlay_sensitivity (self);
  gtk_stack_set_visible_child_name (self->stack, "live");
  return TRUE;
}

void
ridge_live_page_set_dropped (RidgeLivePage *self,
                             guint64        dropped)
{
  g_return_if_fail (RIDGE_IS_LIVE_PAGE (self));
  self->dropped = dropped;
  update_fps_label (self);
}

void
ridge_live_page_clear (RidgeLivePage *self)
{
  g_return_if_fail (RIDGE_IS_LIVE_PAGE (self));

  gtk_toggle_button_set_active (self->compare_button, FALSE);
  ridge_image_view_set_image (self->image_view, NULL, NULL);
  g_clear_pointer (&self->frame.pixels, g_free);
  self->frame = (RidgeImage) { 0 };
  self->n_arrivals = self->arrivals_head = 0;
  self->dropped = 0;
  gtk_label_set_label (self->source_label, "");
  gtk_label_set_label (self->quality_label, "—");
  gtk_label_set_label (self->hint_label, "");
  update_fps_label (self);
  sync_overlay_sensitivity (self);
  gtk_stack_set_visible_child_name (self->stack, "empty");
}

gboolean
ridge_live_page_get_paused (RidgeLivePage *self)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), FALSE);
  return self->paused;
}

void
ridge_live_page_set_paused (RidgeLivePage *self,
                            gboolean       paused)
{
  g_return_if_fail (RIDGE_IS_LIVE_PAGE (self));

  paused = !!paused;
  if (self->paused == paused)
    return;
  self->paused = paused;
  if (!paused)
    {
      /* streaming again: the frozen comparison is over */
      self->paused_by_compare = FALSE;
      if (self->compare_button != NULL)
        gtk_toggle_button_set_active (self->compare_button, FALSE);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAUSED]);
}

RidgeImageView *
ridge_live_page_get_image_view (RidgeLivePage *self)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), NULL);
  return self->image_view;
}

/* ---- feature extraction (engine) ---------------------------------------------------- */

typedef struct {
  RidgeImage     img;              /* owned pixels */
  RidgeMinutia  *minutiae;         /* the frame's own, may be NULL */
  guint          n_minutiae;
  int            quality;
  char          *note;
  gint64         time_us;          /* the frame's arrival */
  gboolean       show;             /* display the analysed frame with its maps */
  RidgeFeatures *features;
  int            result;
} AnalysisJob;

static void
analysis_job_free (gpointer data)
{
  AnalysisJob *job = data;

  if (job == NULL)
    return;
  g_free (job->img.pixels);
  g_free (job->minutiae);
  g_free (job->note);
  if (job->features != NULL)
    ridge_features_free (job->features);
  g_free (job);
}

static AnalysisJob *
analysis_job_new (const RidgeLiveFrame *frame,
                  gboolean              show)
{
  AnalysisJob *job = g_new0 (AnalysisJob, 1);
  gsize n = (gsize)frame->image->width * frame->image->height;

  job->img = *frame->image;
  job->img.pixels = g_memdup2 (frame->image->pixels, n);
  if (frame->minutiae != NULL && frame->n_minutiae > 0)
    {
      job->n_minutiae = MIN (frame->n_minutiae, RIDGE_MAX_MINUTIAE);
      job->minutiae = g_memdup2 (frame->minutiae, sizeof (RidgeMinutia) * job->n_minutiae);
    }
  job->quality = frame->quality;
  job->note = g_strdup (frame->note);
  job->time_us = frame->time_us;
  job->show = show;
  return job;
}

static gboolean
maps_wanted (RidgeLivePage *self)
{
  return gtk_check_button_get_active (self->orientation_check)
         || gtk_check_button_get_active (self->quality_check)
         || gtk_check_button_get_active (self->foreground_check)
         || gtk_check_button_get_active (self->binary_check)
         || gtk_check_button_get_active (self->skeleton_check);
}

static void
analysis_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  AnalysisJob *job = task_data;
  const RidgeExtractOptions options = { .keep_maps = 1 };

  /* the engine is pure C with no global state: safe on a worker thread */
  job->result = ridge_extract (&job->img, &options, &job->features);
  g_task_return_boolean (task, TRUE);
}

static void start_analysis (RidgeLivePage *self,
                            AnalysisJob   *job);

static void
analysis_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (source);
  AnalysisJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr (GError) error = NULL;
  unsigned hints = 0;
  int quality;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;   /* cancelled: the page is going away */
  self->analyzing = FALSE;

  if (job->result == RIDGE_ENGINE_OK)
    {
      hints = ridge_features_hints (job->features);
      quality = job->quality >= 0 ? job->quality : ridge_features_quality (job->features);
    }
  else
    quality = job->quality;

  if (job->show)
    {
      RidgeMap maps[RIDGE_N_MAPS];
      guint n_maps = 0;
      RidgeLiveFrame frame = {
        .image = &job->img, .minutiae = job->minutiae, .n_minutiae = job->n_minutiae,
        .quality = quality, .hints = hints, .note = job->note, .time_us = job->time_us,
      };

      if (job->result == RIDGE_ENGINE_OK)
        {
          for (int k = 0; k < RIDGE_N_MAPS; k++)
            if (ridge_features_map (job->features, k, &maps[n_maps]) == RIDGE_ENGINE_OK)
              n_maps++;
          frame.maps = maps;
          frame.n_maps = n_maps;
          if (frame.minutiae == NULL)
            {
              frame.minutiae = ridge_features_minutiae (job->features);
              frame.n_minutiae = ridge_features_n_minutiae (job->features);
            }
        }
      else if (job->note == NULL)
        frame.note = job->result == RIDGE_ENGINE_E_NO_PRINT
                     ? _ ("No fingerprint was found in this image.")
                     : _ ("The features of this image could not be extracted.");
      show_frame (self, &frame, NULL);
    }
  else if (job->result == RIDGE_ENGINE_OK && job->note == NULL)
    {
      g_autofree char *text = ridge_live_page_hints_text (hints);

      gtk_label_set_label (self->hint_label, *text != '\0' ? text : _ ("Placement is good."));
    }

  if (self->pending != NULL)
    start_analysis (self, g_steal_pointer (&self->pending));
}

static void
start_analysis (RidgeLivePage *self,
                AnalysisJob   *job)
{
  g_autoptr (GTask) task = NULL;

  if (self->analyzing)
    {
      /* only the newest frame is worth analysing next */
      analysis_job_free (self->pending);
      self->pending = job;
      return;
    }
  self->analyzing = TRUE;
  task = g_task_new (self, self->cancellable, analysis_done_cb, NULL);
  g_task_set_source_tag (task, start_analysis);
  g_task_set_task_data (task, job, analysis_job_free);
  g_task_run_in_thread (task, analysis_thread);
}

static gpointer
analysis_job_new_ptr (const RidgeLiveFrame *frame,
                      gboolean              show)
{
  return analysis_job_new (frame, show);
}

static void
start_analysis_ptr (RidgeLivePage *self,
                    gpointer       job)
{
  start_analysis (self, job);
}

/* A frame from the terminal: shown at once, or — when map overlays are on — shown
 * together with its maps once they are extracted. Either way the engine's placement hints
 * follow. */
static void
deliver_frame (RidgeLivePage        *self,
               const RidgeLiveFrame *frame)
{
  gboolean with_maps = maps_wanted (self);

  if (self->paused)
    {
      ridge_live_page_push_frame (self, frame, NULL);   /* counted, not shown */
      return;
    }
  if (!with_maps)
    {
      g_autoptr (GError) error = NULL;
      gboolean shown;

      self->hints_follow = TRUE;
      shown = ridge_live_page_push_frame (self, frame, &error);
      self->hints_follow = FALSE;
      if (!shown)
        {
          g_autofree char *message = g_strdup_printf (_ ("A frame could not be shown: %s"),
                                                      error->message);

          gtk_label_set_label (self->hint_label, message);
          return;
        }
    }
  else
    record_arrival (self, frame->time_us != 0 ? frame->time_us : g_get_monotonic_time ());
  start_analysis (self, analysis_job_new (frame, with_maps));
}

/* ---- live frames from the terminal --------------------------------------------------- */

static void
item_frame_cb (RidgeLivePage       *self,
               const RidgeAppFrame *f,
               RidgeTerminalItem   *item)
{
  g_autofree RidgeMinutia *minutiae = NULL;
  RidgeImage img = {
    .width = f->width, .height = f->height, .dpi = f->dpi, .pixels = (guint8 *)f->pixels,
  };
  RidgeLiveFrame frame = {
    .image = &img, .quality = f->quality, .time_us = f->received_us,
    .note = f->finger_present ? NULL : _ ("No finger on the sensor."),
  };

  if (f->n_minutiae > 0)
    {
      minutiae = g_new (RidgeMinutia, f->n_minutiae);
      for (guint i = 0; i < f->n_minutiae; i++)
        {
          minutiae[i].x = f->minutiae[i].x;
          minutiae[i].y = f->minutiae[i].y;
          minutiae[i].angle = f->minutiae[i].angle;
          minutiae[i].type = f->minutiae[i].type;
          minutiae[i].quality = f->minutiae[i].quality;
        }
      frame.minutiae = minutiae;
      frame.n_minutiae = f->n_minutiae;
    }
  self->dropped = f->dropped;
  deliver_frame (self, &frame);
  if (!self->paused)
    {
      g_autofree char *src = g_strdup_printf (_ ("Live from %s"),
                                              ridge_terminal_item_get_address (item));

      if (g_strcmp0 (gtk_label_get_label (self->source_label), src) != 0)
        gtk_label_set_label (self->source_label, src);
    }
}

static void
item_state_cb (RidgeLivePage *self)
{
  RidgeTerminalState state = self->item != NULL ? ridge_terminal_item_get_state (self->item)
                                                : RIDGE_TERMINAL_STATE_DISCONNECTED;

  switch (state)
    {
      case RIDGE_TERMINAL_STATE_READY:
      case RIDGE_TERMINAL_STATE_DEGRADED:
        adw_status_page_set_title (self->empty_page, _ ("Waiting for Frames"));
        adw_status_page_set_description (self->empty_page,
                                         _ ("The terminal is connected; the images of its sensor "
                                            "appear here."));
        break;

      case RIDGE_TERMINAL_STATE_CONNECTING:
      case RIDGE_TERMINAL_STATE_RECONNECTING:
        adw_status_page_set_title (self->empty_page, _ ("Connecting…"));
        adw_status_page_set_description (self->empty_page,
                                         ridge_terminal_item_get_status (self->item));
        break;

      case RIDGE_TERMINAL_STATE_LOST:
      case RIDGE_TERMINAL_STATE_DISCONNECTED:
      default:
        adw_status_page_set_title (self->empty_page, _ ("Not Connected"));
        adw_status_page_set_description (self->empty_page,
                                         _ ("Frames from the sensor appear here while the terminal "
                                            "is connected. You can also open a saved image."));
        /* a frame from a link that is gone is no longer live */
        if (state == RIDGE_TERMINAL_STATE_DISCONNECTED && self->item != NULL
            && !self->paused && self->frame.pixels != NULL)
          ridge_live_page_clear (self);
        break;
    }
}

static void
sync_streaming (RidgeLivePage *self)
{
  if (self->item != NULL)
    ridge_terminal_item_set_streaming (self->item, gtk_widget_get_mapped (GTK_WIDGET (self)));
}

void
ridge_live_page_set_item (RidgeLivePage     *self,
                          RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_LIVE_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    {
      ridge_terminal_item_set_streaming (self->item, FALSE);
      g_clear_signal_handler (&self->frame_handler, self->item);
      g_clear_signal_handler (&self->state_handler, self->item);
    }
  g_set_object (&self->item, item);
  ridge_sensor_panel_set_item (self->sensor_panel, item);
  ridge_live_page_clear (self);
  if (item != NULL)
    {
      self->frame_handler = g_signal_connect_object (item, "frame", G_CALLBACK (item_frame_cb),
                                                     self, G_CONNECT_SWAPPED);
      self->state_handler = g_signal_connect_object (item, "notify::status",
                                                     G_CALLBACK (item_state_cb),
                                                     self, G_CONNECT_SWAPPED);
      sync_streaming (self);
    }
  item_state_cb (self);
}

static void
ridge_live_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ridge_live_page_parent_class)->map (widget);
  sync_streaming (RIDGE_LIVE_PAGE (widget));
}

static void
ridge_live_page_unmap (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ridge_live_page_parent_class)->unmap (widget);
  sync_streaming (RIDGE_LIVE_PAGE (widget));
}

/* ---- open / save --------------------------------------------------------------------- */

typedef struct {
  GBytes *pixels;
  guint   width;
  guint   height;
  char   *name;
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *l = data;

  g_clear_pointer (&l->pixels, g_bytes_unref);
  g_free (l->name);
  g_free (l);
}

static void
load_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autofree char *path = g_file_get_path (file);
  g_autoptr (GError) error = NULL;
  Loaded *l = g_new0 (Loaded, 1);

  l->name = g_file_get_basename (file);
  if (path == NULL)
    {
      loaded_free (l);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _ ("Only local files can be opened."));
      return;
    }
  l->pixels = ridge_image_load (path, &l->width, &l->height, &error);
  if (l->pixels == NULL)
    {
      loaded_free (l);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, l, loaded_free);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RidgeLivePage *self;
  g_autoptr (GError) error = NULL;
  Loaded *l = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *message = NULL;

  if (l == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self = RIDGE_LIVE_PAGE (source);
      message = g_strdup_printf (_ ("Could not open the image: %s"), error->message);
      show_toast (self, message);
      return;
    }

  self = RIDGE_LIVE_PAGE (source);
  {
    RidgeImage img = {
      .width = l->width, .height = l->height, .dpi = 500,
      .pixels = (guint8 *)g_bytes_get_data (l->pixels, NULL),
    };
    RidgeLiveFrame frame = { .image = &img, .quality = -1 };
    g_autofree char *src = NULL;

    if (!show_frame (self, &frame, &error))
      {
        message = g_strdup_printf (_ ("Could not show the image: %s"), error->message);
        show_toast (self, message);
      }
    else
      {
        start_analysis (self, analysis_job_new (&frame, TRUE));
        /* an opened file is not a live frame: pause, and say where it came from */
        self->n_arrivals = 0;
        ridge_live_page_set_paused (self, TRUE);
        src = g_strdup_printf (_ ("Opened from file “%s”, %u × %u pixels"), l->name,
                               l->width, l->height);
        gtk_label_set_label (self->source_label, src);
        update_fps_label (self);
      }
  }
  loaded_free (l);
}

static void
open_response_cb (RidgeLivePage        *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GTask) task = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      task = g_task_new (self, self->cancellable, load_done_cb, NULL);
      g_task_set_source_tag (task, open_response_cb);
      g_task_set_task_data (task, g_steal_pointer (&file), g_object_unref);
      g_task_run_in_thread (task, load_thread);
    }
  g_clear_object (&self->chooser);
}

static void
save_response_cb (RidgeLivePage        *self,
                  int                   response,
                  GtkFileChooserNative *chooser)
{
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *message = NULL;

  if (response == GTK_RESPONSE_ACCEPT && self->frame.pixels != NULL)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path == NULL)
        message = g_strdup (_ ("Frames can only be saved to local files."));
      else if (!ridge_image_save (path, self->frame.pixels, self->frame.width,
                                  self->frame.height, RIDGE_IMAGE_FORMAT_AUTO, &error))
        message = g_strdup_printf (_ ("Could not save the frame: %s"), error->message);
      else
        {
          g_autofree char *name = g_file_get_basename (file);

          message = g_strdup_printf (_ ("Frame saved as “%s”"), name);
        }
      show_toast (self, message);
    }
  g_clear_object (&self->chooser);
}

static GtkWindow *
parent_window (RidgeLivePage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (widget);
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_ ("Open Fingerprint Image"),
                                               parent_window (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _ ("_Open"), _ ("_Cancel"));
  gtk_file_filter_set_name (filter, _ ("Images (PNG, PGM)"));
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_filter_add_suffix (filter, "pgm");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (open_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (widget);
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "frame-%Y%m%d-%H%M%S.png");

  if (self->chooser != NULL || self->frame.pixels == NULL)
    return;
  self->chooser = gtk_file_chooser_native_new (_ ("Save Frame"), parent_window (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _ ("_Save"), _ ("_Cancel"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (save_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (widget);
  const char *name = strchr (action_name, '.') + 1;
  g_autofree char *target = g_strconcat ("image.", name, NULL);

  gtk_widget_activate_action (GTK_WIDGET (self->image_view), target, NULL);
}

/* ---- extractor comparison ------------------------------------------------------------ */

static void
compare_toggled_cb (RidgeLivePage *self)
{
  gboolean on = gtk_toggle_button_get_active (self->compare_button);

  if (on && self->frame.pixels != NULL && ridge_compare_view_nbis_available ())
    {
      /* the frame on screen stays: the comparison is about these very pixels */
      if (!self->paused)
        {
          ridge_live_page_set_paused (self, TRUE);
          self->paused_by_compare = TRUE;
        }
      ridge_compare_view_set_image (self->compare_view, &self->frame);
      gtk_stack_set_visible_child_name (self->view_stack, "compare");
      return;
    }
  if (on)
    {
      /* nothing to compare (no frame, or no NBIS in this build) */
      gtk_toggle_button_set_active (self->compare_button, FALSE);
      return;
    }
  gtk_stack_set_visible_child_name (self->view_stack, "image");
  if (self->paused_by_compare)
    {
      self->paused_by_compare = FALSE;
      ridge_live_page_set_paused (self, FALSE);
    }
}

gboolean
ridge_live_page_get_comparing (RidgeLivePage *self)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), FALSE);
  return gtk_toggle_button_get_active (self->compare_button);
}

void
ridge_live_page_set_comparing (RidgeLivePage *self,
                               gboolean       comparing)
{
  g_return_if_fail (RIDGE_IS_LIVE_PAGE (self));
  gtk_toggle_button_set_active (self->compare_button, comparing);
}

RidgeCompareView *
ridge_live_page_get_compare_view (RidgeLivePage *self)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), NULL);
  return self->compare_view;
}

RidgeSensorPanel *
ridge_live_page_get_sensor_panel (RidgeLivePage *self)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), NULL);
  return self->sensor_panel;
}

gint64
ridge_live_page_get_shown_time (RidgeLivePage *self,
                                guint64       *n_shown)
{
  g_return_val_if_fail (RIDGE_IS_LIVE_PAGE (self), 0);
  if (n_shown != NULL)
    *n_shown = self->n_shown;
  return self->shown_time_us;
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
ridge_live_page_dispose (GObject *object)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->item != NULL)
    {
      ridge_terminal_item_set_streaming (self->item, FALSE);
      g_clear_signal_handler (&self->frame_handler, self->item);
      g_clear_signal_handler (&self->state_handler, self->item);
      g_clear_object (&self->item);
    }
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_pointer (&self->pending, analysis_job_free);
  g_clear_pointer (&self->cur_minutiae, g_free);
  g_clear_pointer (&self->frame.pixels, g_free);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_LIVE_PAGE);
  G_OBJECT_CLASS (ridge_live_page_parent_class)->dispose (object);
}

static void
ridge_live_page_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (object);

  switch (prop_id)
    {
      case PROP_PAUSED:
        g_value_set_boolean (value, self->paused);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_live_page_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  RidgeLivePage *self = RIDGE_LIVE_PAGE (object);

  switch (prop_id)
    {
      case PROP_PAUSED:
        ridge_live_page_set_paused (self, g_value_get_boolean (value));
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_live_page_class_init (RidgeLivePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_live_page_dispose;
  object_class->get_property = ridge_live_page_get_property;
  object_class->set_property = ridge_live_page_set_property;
  widget_class->map = ridge_live_page_map;
  widget_class->unmap = ridge_live_page_unmap;

  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (RIDGE_TYPE_IMAGE_VIEW);
  g_type_ensure (RIDGE_TYPE_COMPARE_VIEW);
  g_type_ensure (RIDGE_TYPE_SENSOR_PANEL);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-live-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, image_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, compare_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, compare_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, sensor_panel);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, source_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, quality_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, quality_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, hint_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, fps_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, dropped_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, minutiae_check);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, orientation_check);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, quality_check);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, foreground_check);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, binary_check);
  gtk_widget_class_bind_template_child (widget_class, RidgeLivePage, skeleton_check);
  gtk_widget_class_bind_template_callback (widget_class, overlay_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, compare_toggled_cb);

  gtk_widget_class_install_property_action (widget_class, "live.pause", "paused");
  gtk_widget_class_install_action (widget_class, "live.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "live.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "live.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "live.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "live.zoom-fit", NULL, zoom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "live.save",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "live.open",
                                       NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK, "live.pause",
                                       NULL);
}

static void
ridge_live_page_init (RidgeLivePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  if (!ridge_compare_view_nbis_available ())
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->compare_button),
                                 ridge_compare_view_unavailable_reason ());
  overlay_toggled_cb (self, NULL);
  update_fps_label (self);
  sync_overlay_sensitivity (self);
}

GtkWidget *
ridge_live_page_new (void)
{
  return g_object_new (RIDGE_TYPE_LIVE_PAGE, NULL);
}
