/* ridge-verify-page.c — verify/identify test: place a finger, see score, decision, mates
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-verify-page"

#include "config.h"

#include "ridge-verify-page.h"

#include <glib/gi18n.h>

#include "core/ridge-session.h"
#include "ridge-engine.h"
#include "ridge-hand-diagram.h"

/* ridge-terminal refuses a probe with fewer minutiae (RIDGE_TERMINAL_MIN_MINUTIAE / 2) */
#define PROBE_MIN_MINUTIAE 5
/* how long the terminal waits for the finger */
#define FINGER_TIMEOUT_MS  30000

typedef struct {
  guint32 id;
  char   *user_id;
  guint   finger;
  guint8  format;
  GBytes *data;
} Gallery;

static void
gallery_free (gpointer data)
{
  Gallery *g = data;

  g_free (g->user_id);
  g_clear_pointer (&g->data, g_bytes_unref);
  g_free (g);
}

/* one run: everything the worker thread needs and gives back */
typedef struct {
  GPtrArray *gallery;            /* Gallery */
  RidgeImage probe_image;        /* owned pixels */
  /* results */
  char             *error;
  RidgeTemplate    *probe;
  RidgeTemplate    *sample;      /* the best record's best sample */
  RidgeMatchResult *match;
  const Gallery    *best;
  int               score;
  guint8            quality;
  gint64            match_us;
} Run;

static void
run_free (gpointer data)
{
  Run *run = data;

  g_clear_pointer (&run->gallery, g_ptr_array_unref);
  g_free (run->probe_image.pixels);
  g_free (run->error);
  g_free (run->probe);
  g_free (run->sample);
  g_free (run->match);
  g_free (run);
}

struct _RidgeVerifyPage {
  AdwBin parent_instance;

  GtkDropDown    *mode_dropdown;
  GtkDropDown    *record_dropdown;
  GtkStringList  *record_names;
  GtkButton      *place_button;
  GtkButton      *cancel_button;
  GtkSpinner     *spinner;
  GtkLabel       *status_label;
  GtkStack       *result_stack;
  RidgeImageView *image_view;
  GtkLabel       *decision_label;
  GtkLabel       *score_label;
  GtkLabel       *detail_label;
  GtkLabel       *canvas_note;

  RidgeTerminalItem *item;
  gulong             state_handler;
  GPtrArray         *records;       /* RidgeAppTemplate, as in the chooser */
  GCancellable      *list_cancellable;
  GCancellable      *cancellable;   /* the run */

  RidgeVerifyState state;
  Run             *run;
  guint            fetch_next;
  gint64           started_us;
  gint64           captured_us;
  gint64           capture_sent_us;

  gboolean has_result;
  gboolean matched;
  int      score;
  int      threshold;
  guint    n_pairs;
  char    *message;
};

G_DEFINE_FINAL_TYPE (RidgeVerifyPage, ridge_verify_page, ADW_TYPE_BIN);

static void
set_state (RidgeVerifyPage *self,
           RidgeVerifyState state)
{
  gboolean busy = state != RIDGE_VERIFY_IDLE && state != RIDGE_VERIFY_DONE;

  self->state = state;
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->place_button),
                            !busy && self->item != NULL
                            && ridge_terminal_item_get_session (self->item) != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->mode_dropdown), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->record_dropdown),
                            !busy && gtk_drop_down_get_selected (self->mode_dropdown) == 0);
}

static void
set_status (RidgeVerifyPage *self,
            const char      *text)
{
  g_free (self->message);
  self->message = g_strdup (text);
  gtk_label_set_label (self->status_label, text);
}

static void
fail (RidgeVerifyPage *self,
      const char      *text)
{
  g_clear_pointer (&self->run, run_free);
  set_status (self, text);
  set_state (self, RIDGE_VERIFY_IDLE);
}

static gboolean
is_identify (RidgeVerifyPage *self)
{
  return gtk_drop_down_get_selected (self->mode_dropdown) == 1;
}

static RidgeSession *
ready_session (RidgeVerifyPage *self)
{
  RidgeTerminalState state;
  GObject *session;

  if (self->item == NULL)
    return NULL;
  state = ridge_terminal_item_get_state (self->item);
  if (state != RIDGE_TERMINAL_STATE_READY && state != RIDGE_TERMINAL_STATE_DEGRADED)
    return NULL;
  session = ridge_terminal_item_get_session (self->item);
  return session != NULL ? RIDGE_SESSION (session) : NULL;
}

/* ---- the record chooser --------------------------------------------------------------- */

static char *
record_title (const RidgeAppTemplate *t)
{
  const char *finger = ridge_finger_name (t->finger);
  const char *who = t->name != NULL && *t->name != '\0' ? t->name : t->user_id;

  /* Translators: person, finger, record number */
  return g_strdup_printf (_ ("%s — %s (#%u)"), who,
                          finger != NULL ? finger : _ ("unknown finger"), t->id);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RidgeVerifyPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) templates = NULL;
  guint old;

  templates = ridge_terminal_item_list_templates_finish (RIDGE_TERMINAL_ITEM (source), result,
                                                         &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_VERIFY_PAGE (user_data);
  if (templates == NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("The enrolled fingers could not be listed: "
                                                  "%s"), error->message);

      set_status (self, text);
      return;
    }
  g_clear_pointer (&self->records, g_ptr_array_unref);
  self->records = g_steal_pointer (&templates);
  old = g_list_model_get_n_items (G_LIST_MODEL (self->record_names));
  {
    g_autoptr (GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < self->records->len; i++)
      g_ptr_array_add (titles, record_title (g_ptr_array_index (self->records, i)));
    g_ptr_array_add (titles, NULL);
    gtk_string_list_splice (self->record_names, 0, old, (const char * const *)titles->pdata);
  }
  if (self->state == RIDGE_VERIFY_IDLE && !self->has_result)
    set_status (self, self->records->len == 0
                ? _ ("No finger is enrolled on this terminal: enroll one first.")
                : _ ("Choose an enrolled finger (or Identify), then press Place Finger."));
  set_state (self, self->state);
}

void
ridge_verify_page_refresh (RidgeVerifyPage *self)
{
  g_return_if_fail (RIDGE_IS_VERIFY_PAGE (self));

  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  if (ready_session (self) == NULL)
    {
      set_status (self, _ ("Connect to this terminal to test its enrolled fingers."));
      set_state (self, self->state);
      return;
    }
  self->list_cancellable = g_cancellable_new ();
  ridge_terminal_item_list_templates_async (self->item, self->list_cancellable, listed_cb,
                                            self);
}

guint
ridge_verify_page_get_n_records (RidgeVerifyPage *self)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), 0);
  return self->records != NULL ? self->records->len : 0;
}

gboolean
ridge_verify_page_select (RidgeVerifyPage *self,
                          const char      *user_id,
                          guint            finger)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), FALSE);

  for (guint i = 0; self->records != NULL && i < self->records->len; i++)
    {
      RidgeAppTemplate *t = g_ptr_array_index (self->records, i);

      if (g_strcmp0 (t->user_id, user_id) == 0 && t->finger == finger)
        {
          gtk_drop_down_set_selected (self->record_dropdown, i);
          return TRUE;
        }
    }
  return FALSE;
}

void
ridge_verify_page_set_identify (RidgeVerifyPage *self,
                                gboolean         identify)
{
  g_return_if_fail (RIDGE_IS_VERIFY_PAGE (self));
  gtk_drop_down_set_selected (self->mode_dropdown, identify ? 1 : 0);
}

static void
mode_changed_cb (RidgeVerifyPage *self)
{
  set_state (self, self->state);
}

/* ---- matching (worker thread) ---------------------------------------------------------- */

static void
match_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Run *run = task_data;
  RidgeFeatures *features = NULL;
  RidgeEnrollTemplate *enrolled = g_new0 (RidgeEnrollTemplate, 1);
  RidgeMatchResult *mr = g_new0 (RidgeMatchResult, 1);
  gint64 t0 = g_get_monotonic_time ();
  int r;

  /* what ridge-terminal does for VERIFY/IDENTIFY (probe_template, match_entry,
   * complete_match in ridge-terminal-session.c), step by step */
  r = ridge_extract (&run->probe_image, NULL, &features);
  if (r != RIDGE_ENGINE_OK)
    {
      run->error = g_strdup (r == RIDGE_ENGINE_E_NO_PRINT
                             ? _ ("No fingerprint could be found in the captured image.")
                             : _ ("The features of the captured image could not be "
                                  "extracted."));
      goto out;
    }
  run->quality = ridge_features_quality (features);
  run->probe = g_new0 (RidgeTemplate, 1);
  r = ridge_template_from_features (features, run->probe_image.width, run->probe_image.height,
                                    run->probe_image.dpi, run->probe);
  if (r != RIDGE_ENGINE_OK)
    {
      run->error = g_strdup_printf (_ ("The probe template could not be built: %s"),
                                    ridge_engine_strerror (r));
      goto out;
    }
  if (run->probe->n_minutiae < PROBE_MIN_MINUTIAE)
    {
      run->error = g_strdup_printf (_ ("The captured image has too few minutiae (%u): place "
                                       "the finger again."), run->probe->n_minutiae);
      goto out;
    }
  run->score = 0;
  for (guint i = 0; i < run->gallery->len; i++)
    {
      const Gallery *g = g_ptr_array_index (run->gallery, i);
      int score, sample = -1;

      if (g->format != RIDGE_TPL_NATIVE
          || ridge_enroll_deserialize (g_bytes_get_data (g->data, NULL),
                                       g_bytes_get_size (g->data), enrolled) != RIDGE_ENGINE_OK)
        continue;   /* the terminal cannot match it either (score -1) */
      score = ridge_match_enrolled (run->probe, enrolled, mr, &sample);
      if (score < 0 || sample < 0)
        continue;
      if (score > run->score || (run->best == NULL && score >= 0))
        {
          run->score = MAX (score, 0);
          run->best = g;
          g_free (run->match);
          run->match = g_memdup2 (mr, sizeof *mr);
          g_free (run->sample);
          run->sample = g_memdup2 (&enrolled->samples[sample], sizeof (RidgeTemplate));
        }
    }
  if (run->best == NULL)
    run->error = g_strdup (_ ("None of the enrolled records can be read by this version of "
                              "the engine."));
out:
  run->match_us = g_get_monotonic_time () - t0;
  if (features != NULL)
    ridge_features_free (features);
  g_free (enrolled);
  g_free (mr);
  g_task_return_boolean (task, TRUE);
}

static void
show_result (RidgeVerifyPage *self,
             Run             *run)
{
  gboolean matched = run->score >= RIDGE_MATCH_THRESHOLD;
  const RidgeTemplate *s = run->sample;
  RidgeImage canvas = { 0 };
  g_autofree guint8 *blank = NULL;
  g_autofree char *decision = NULL;
  g_autofree char *score = NULL;
  g_autofree char *detail = NULL;
  const char *finger = ridge_finger_name (run->best->finger);

  /* the probe with its template's minutiae: the pairs index into these */
  ridge_image_view_set_image (self->image_view, &run->probe_image, NULL);
  ridge_image_view_set_minutiae (self->image_view, run->probe->minutiae,
                                 run->probe->n_minutiae);
  /* the terminal keeps templates, not images: the enrolled sample's minutiae on a blank
   * canvas of the sample's size */
  canvas.width = s->width > 0 ? s->width : run->probe_image.width;
  canvas.height = s->height > 0 ? s->height : run->probe_image.height;
  canvas.dpi = s->dpi > 0 ? s->dpi : 500;
  blank = g_malloc ((gsize)canvas.width * canvas.height);
  memset (blank, 235, (gsize)canvas.width * canvas.height);
  canvas.pixels = blank;
  ridge_image_view_set_gallery (self->image_view, &canvas, s->minutiae, s->n_minutiae, NULL);
  ridge_image_view_set_pairs (self->image_view, run->match->pairs,
                              MAX (run->match->n_pairs, 0));
  ridge_image_view_set_fit (self->image_view, TRUE);

  self->has_result = TRUE;
  self->matched = matched;
  self->score = run->score;
  self->threshold = RIDGE_MATCH_THRESHOLD;
  self->n_pairs = ridge_image_view_get_n_pairs (self->image_view);

  if (matched)
    decision = g_strdup (_ ("Match"));
  else
    decision = g_strdup (_ ("No Match"));
  gtk_label_set_label (self->decision_label, decision);
  gtk_widget_remove_css_class (GTK_WIDGET (self->decision_label), matched ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->decision_label), matched ? "success" : "error");
  /* Translators: similarity score against the decision threshold */
  score = g_strdup_printf (_ ("Score %d, threshold %d"), run->score, RIDGE_MATCH_THRESHOLD);
  gtk_label_set_label (self->score_label, score);
  detail = g_strdup_printf (
    /* Translators: best record, mated minutiae, probe quality, times in seconds */
    _ ("Best record: %s, %s (#%u)\n%u mated minutiae; probe quality %u\nCapture %.2f s "
       "(waiting for the finger included), extraction and matching %.3f s"),
    run->best->user_id, finger != NULL ? finger : _ ("unknown finger"), run->best->id,
    self->n_pairs, run->quality, (self->captured_us - self->capture_sent_us) / 1e6,
    run->match_us / 1e6);
  gtk_label_set_label (self->detail_label, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->canvas_note), TRUE);
  gtk_stack_set_visible_child_name (self->result_stack, "result");
  set_status (self, matched ? _ ("The finger matches.") : _ ("The finger does not match."));
}

static void
matched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RidgeVerifyPage *self;
  g_autoptr (GError) error = NULL;
  Run *run = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    return;   /* cancelled */
  self = RIDGE_VERIFY_PAGE (source);
  if (run->error != NULL)
    {
      fail (self, run->error);
      return;
    }
  show_result (self, run);
  set_state (self, RIDGE_VERIFY_DONE);
}

/* ---- capture --------------------------------------------------------------------------- */

static void
captured_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RidgeVerifyPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeFrame) frame = NULL;
  g_autoptr (GTask) task = NULL;
  Run *run;
  gsize n;

  frame = ridge_session_capture_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_VERIFY_PAGE (user_data);
  self->captured_us = g_get_monotonic_time ();
  if (frame == NULL)
    {
      g_autofree char *text = g_strdup_printf (_ ("No finger was captured: %s"),
                                               error->message);

      fail (self, text);
      return;
    }
  n = (gsize)frame->width * frame->height;
  if (frame->pixels == NULL || g_bytes_get_size (frame->pixels) != n || n == 0)
    {
      fail (self, _ ("The terminal sent an image of the wrong size."));
      return;
    }
  run = self->run;
  run->probe_image.width = frame->width;
  run->probe_image.height = frame->height;
  run->probe_image.dpi = frame->dpi > 0 ? frame->dpi : 500;
  run->probe_image.pixels = g_memdup2 (g_bytes_get_data (frame->pixels, NULL), n);
  set_state (self, RIDGE_VERIFY_MATCHING);
  set_status (self, _ ("Comparing…"));

  /* from here the task owns the run: a cancel cannot free it under the worker */
  self->run = NULL;
  task = g_task_new (self, self->cancellable, matched_cb, NULL);
  g_task_set_source_tag (task, captured_cb);
  g_task_set_task_data (task, run, run_free);
  g_task_run_in_thread (task, match_thread);
}

static void
start_capture (RidgeVerifyPage *self)
{
  RidgeSession *session = ready_session (self);

  if (session == NULL)
    {
      fail (self, _ ("The terminal is not connected."));
      return;
    }
  set_state (self, RIDGE_VERIFY_CAPTURING);
  set_status (self, _ ("Place the finger on the sensor…"));
  self->capture_sent_us = g_get_monotonic_time ();
  ridge_session_capture_async (session, RIDGE_CAPTURE_WAIT_FINGER, FINGER_TIMEOUT_MS,
                               self->cancellable, captured_cb, self);
}

/* ---- the enrolled records (TPL_GET, one after the other) ------------------------------ */

static void fetch_next (RidgeVerifyPage *self);

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  RidgeVerifyPage *self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  Gallery *g;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = RIDGE_VERIFY_PAGE (user_data);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      g_autofree char *text = g_strdup_printf (_ ("The enrolled template could not be read: "
                                                  "%s"), error->message);

      fail (self, text);
      return;
    }
  g = g_new0 (Gallery, 1);
  g->id = body.template_.info.id;
  g->user_id = ridge_wire_str_dup (body.template_.info.user_id);
  g->finger = body.template_.info.finger;
  g->format = body.template_.info.format;
  g->data = g_bytes_new (body.template_.data.ptr, body.template_.data.len);
  g_ptr_array_add (self->run->gallery, g);
  fetch_next (self);
}

static void
fetch_next (RidgeVerifyPage *self)
{
  RidgeSession *session = ready_session (self);
  RidgeWireMsg body = { 0 };

  if (session == NULL)
    {
      fail (self, _ ("The terminal is not connected."));
      return;
    }
  if (!is_identify (self))
    {
      guint i = gtk_drop_down_get_selected (self->record_dropdown);

      if (self->run->gallery->len > 0)
        {
          start_capture (self);
          return;
        }
      body.tpl_id.id = ((RidgeAppTemplate *)g_ptr_array_index (self->records, i))->id;
    }
  else
    {
      if (self->fetch_next >= self->records->len)
        {
          start_capture (self);
          return;
        }
      body.tpl_id.id = ((RidgeAppTemplate *)g_ptr_array_index (self->records,
                                                               self->fetch_next++))->id;
    }
  ridge_session_request_async (session, RIDGE_MSG_TPL_GET, &body, 0, self->cancellable,
                               fetched_cb, self);
}

void
ridge_verify_page_start (RidgeVerifyPage *self)
{
  g_return_if_fail (RIDGE_IS_VERIFY_PAGE (self));

  if (self->state != RIDGE_VERIFY_IDLE && self->state != RIDGE_VERIFY_DONE)
    return;
  if (ready_session (self) == NULL)
    {
      fail (self, _ ("The terminal is not connected."));
      return;
    }
  if (self->records == NULL || self->records->len == 0)
    {
      fail (self, _ ("No finger is enrolled on this terminal: enroll one first."));
      return;
    }
  if (!is_identify (self)
      && gtk_drop_down_get_selected (self->record_dropdown) >= self->records->len)
    {
      fail (self, _ ("Choose the enrolled finger to verify against."));
      return;
    }
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->run, run_free);
  self->run = g_new0 (Run, 1);
  self->run->gallery = g_ptr_array_new_with_free_func (gallery_free);
  self->fetch_next = 0;
  self->started_us = g_get_monotonic_time ();
  set_state (self, RIDGE_VERIFY_FETCHING);
  set_status (self, _ ("Reading the enrolled template…"));
  fetch_next (self);
}

void
ridge_verify_page_cancel (RidgeVerifyPage *self)
{
  g_return_if_fail (RIDGE_IS_VERIFY_PAGE (self));

  if (self->state == RIDGE_VERIFY_IDLE || self->state == RIDGE_VERIFY_DONE)
    return;
  g_cancellable_cancel (self->cancellable);
  fail (self, _ ("Cancelled."));
}

RidgeVerifyState
ridge_verify_page_get_state (RidgeVerifyPage *self)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), RIDGE_VERIFY_IDLE);
  return self->state;
}

gboolean
ridge_verify_page_get_result (RidgeVerifyPage *self,
                              gboolean        *matched,
                              int             *score,
                              int             *threshold,
                              guint           *n_pairs)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), FALSE);

  if (!self->has_result)
    return FALSE;
  if (matched)
    *matched = self->matched;
  if (score)
    *score = self->score;
  if (threshold)
    *threshold = self->threshold;
  if (n_pairs)
    *n_pairs = self->n_pairs;
  return TRUE;
}

const char *
ridge_verify_page_get_message (RidgeVerifyPage *self)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), NULL);
  return self->message;
}

RidgeImageView *
ridge_verify_page_get_image_view (RidgeVerifyPage *self)
{
  g_return_val_if_fail (RIDGE_IS_VERIFY_PAGE (self), NULL);
  return self->image_view;
}

static void
item_state_cb (RidgeVerifyPage *self)
{
  RidgeTerminalState state = ridge_terminal_item_get_state (self->item);

  if (state == RIDGE_TERMINAL_STATE_READY || state == RIDGE_TERMINAL_STATE_DEGRADED)
    {
      if (self->records == NULL)
        ridge_verify_page_refresh (self);
    }
  else if (state == RIDGE_TERMINAL_STATE_LOST || state == RIDGE_TERMINAL_STATE_DISCONNECTED)
    {
      if (self->state != RIDGE_VERIFY_IDLE && self->state != RIDGE_VERIFY_DONE)
        {
          g_cancellable_cancel (self->cancellable);
          fail (self, _ ("The link to the terminal was lost before the result came."));
        }
      g_clear_pointer (&self->records, g_ptr_array_unref);
    }
  set_state (self, self->state);
}

void
ridge_verify_page_set_item (RidgeVerifyPage   *self,
                            RidgeTerminalItem *item)
{
  g_return_if_fail (RIDGE_IS_VERIFY_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  ridge_verify_page_cancel (self);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_set_object (&self->item, item);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  /* another terminal's result does not belong here */
  self->has_result = FALSE;
  gtk_stack_set_visible_child_name (self->result_stack, "empty");
  gtk_string_list_splice (self->record_names, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->record_names)), NULL);
  if (item != NULL)
    self->state_handler = g_signal_connect_object (item, "notify::state",
                                                   G_CALLBACK (item_state_cb), self,
                                                   G_CONNECT_SWAPPED);
  ridge_verify_page_refresh (self);
}

static void
ridge_verify_page_map (GtkWidget *widget)
{
  RidgeVerifyPage *self = RIDGE_VERIFY_PAGE (widget);

  GTK_WIDGET_CLASS (ridge_verify_page_parent_class)->map (widget);
  /* enrollments may have changed on another page meanwhile */
  if (self->state == RIDGE_VERIFY_IDLE || self->state == RIDGE_VERIFY_DONE)
    ridge_verify_page_refresh (self);
}

/* ---- GObject ------------------------------------------------------------------------- */

static void
ridge_verify_page_dispose (GObject *object)
{
  RidgeVerifyPage *self = RIDGE_VERIFY_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->list_cancellable);
  g_clear_object (&self->list_cancellable);
  if (self->item != NULL)
    g_clear_signal_handler (&self->state_handler, self->item);
  g_clear_object (&self->item);
  g_clear_pointer (&self->run, run_free);
  g_clear_pointer (&self->records, g_ptr_array_unref);
  g_clear_pointer (&self->message, g_free);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_VERIFY_PAGE);
  G_OBJECT_CLASS (ridge_verify_page_parent_class)->dispose (object);
}

static void
ridge_verify_page_class_init (RidgeVerifyPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_verify_page_dispose;
  widget_class->map = ridge_verify_page_map;

  g_type_ensure (RIDGE_TYPE_IMAGE_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-verify-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, mode_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, record_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, record_names);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, place_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, result_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, image_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, decision_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, score_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, detail_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeVerifyPage, canvas_note);
  gtk_widget_class_bind_template_callback (widget_class, ridge_verify_page_start);
  gtk_widget_class_bind_template_callback (widget_class, ridge_verify_page_cancel);
  gtk_widget_class_bind_template_callback (widget_class, ridge_verify_page_refresh);
  gtk_widget_class_bind_template_callback (widget_class, mode_changed_cb);
}

static void
ridge_verify_page_init (RidgeVerifyPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  ridge_image_view_set_overlays (self->image_view,
                                 RIDGE_OVERLAY_MINUTIAE | RIDGE_OVERLAY_PAIRS);
  set_status (self, _ ("Connect to this terminal to test its enrolled fingers."));
  set_state (self, RIDGE_VERIFY_IDLE);
}

GtkWidget *
ridge_verify_page_new (void)
{
  return g_object_new (RIDGE_TYPE_VERIFY_PAGE, NULL);
}
