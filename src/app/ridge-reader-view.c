/* ridge-reader-view.c — one local libfprint reader: live view with the engine's overlays,
 * enrollment, verify/identify, and its enrolled prints
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libfprint runs one operation at a time per reader. The view keeps one running operation
 * (op) and at most one waiting (pending): the live capture loop yields to whatever the user
 * asks for (it is cancelled, and the request starts when the cancelled capture returns);
 * any other request while one runs is refused with a sentence. Every callback carries the
 * view's generation, so a reader that was let go meanwhile is closed instead of shown.
 */
#define G_LOG_DOMAIN "ridge-reader-view"

#include "config.h"

#include "ridge-reader-view.h"

#include <glib/gi18n.h>
#include <string.h>

typedef enum {
  OP_NONE = 0,
  OP_OPEN,
  OP_LIVE,
  OP_ENROLL,
  OP_VERIFY,
  OP_IDENTIFY,
  OP_LIST,
  OP_DELETE,
} Op;

static const char *const op_names[] = {
  "idle", "opening", "live", "enroll", "verify", "identify", "list", "delete",
};

/* Ridge's finger numbers 1…10 (ISO/IEC 19794-2: right thumb … left little), as in the
 * Finger row of the template. */
static const char *const finger_names[] = {
  N_ ("Unknown finger"),
  N_ ("Right thumb"), N_ ("Right index finger"), N_ ("Right middle finger"),
  N_ ("Right ring finger"), N_ ("Right little finger"),
  N_ ("Left thumb"), N_ ("Left index finger"), N_ ("Left middle finger"),
  N_ ("Left ring finger"), N_ ("Left little finger"),
};

struct _RidgeReaderView {
  AdwBin parent_instance;

  AdwHeaderBar         *header_bar;
  GtkButton            *back_button;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewStack         *view_stack;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *live_stack;
  AdwStatusPage        *live_status;
  GtkButton            *live_retry_button;
  RidgeLivePage        *live_page;
  AdwPreferencesGroup  *enroll_group;
  AdwEntryRow          *user_row;
  AdwComboRow          *finger_row;
  GtkButton            *enroll_button;
  GtkButton            *enroll_cancel_button;
  GtkLabel             *enroll_stage_label;
  GtkProgressBar       *enroll_progress;
  GtkLabel             *enroll_message;
  AdwComboRow          *print_row;
  GtkButton            *verify_button;
  GtkButton            *identify_button;
  GtkButton            *verify_cancel_button;
  GtkLabel             *match_label;
  GtkLabel             *match_detail;
  AdwPreferencesGroup  *prints_group;
  GtkButton            *refresh_button;
  GtkLabel             *prints_message;

  GtkStringList    *print_names; /* the Verify page's choice, one per print */
  GPtrArray        *print_rows;  /* rows of prints_group */
  GPtrArray        *prints;      /* FpPrint, as listed */
  AdwMessageDialog *delete_dialog;

  RidgeReader  *reader;
  guint         generation;     /* bumped whenever the reader changes */
  gulong        state_handler;
  gulong        progress_handler;
  gulong        retry_handler;
  GCancellable *op_cancellable;
  GCancellable *local_cancellable; /* the local folder being read (on a thread), or NULL */
  Op            op;
  Op            pending;
  FpPrint      *pending_print;  /* for a pending verify or delete */
  gboolean      live_error;     /* the last capture failed: wait for the page to be shown again */
  gboolean      analyzing;
  gpointer      next_job;       /* AnalysisJob: the newest capture waiting for the engine */
};

G_DEFINE_FINAL_TYPE (RidgeReaderView, ridge_reader_view, ADW_TYPE_BIN);

static void after_op (RidgeReaderView *self);
static void refresh_prints (RidgeReaderView *self);
static void read_local_prints (RidgeReaderView *self,
                               GPtrArray       *listed);

/* ---- fingers --------------------------------------------------------------------------- */

static FpFinger
finger_to_fp (guint iso)
{
  if (iso >= 1 && iso <= 5)
    return FP_FINGER_RIGHT_THUMB + (iso - 1);
  if (iso >= 6 && iso <= 10)
    return FP_FINGER_LEFT_THUMB + (iso - 6);
  return FP_FINGER_UNKNOWN;
}

static const char *
fp_finger_name (FpFinger f)
{
  guint iso = 0;

  if (f >= FP_FINGER_RIGHT_THUMB && f <= FP_FINGER_RIGHT_LITTLE)
    iso = 1 + f - FP_FINGER_RIGHT_THUMB;
  else if (f >= FP_FINGER_LEFT_THUMB && f <= FP_FINGER_LEFT_LITTLE)
    iso = 6 + f - FP_FINGER_LEFT_THUMB;
  return _ (finger_names[iso]);
}

static char *
print_title (FpPrint *print)
{
  const char *user = fp_print_get_username (print);

  if ((user == NULL || *user == '\0') && fp_print_get_finger (print) == FP_FINGER_UNKNOWN)
    {
      /* a print the reader lists without any name (not enrolled through Ridge) */
      g_autofree char *id = ridge_fprint_print_id (print, NULL);

      /* Translators: %s is a short hexadecimal print id */
      return g_strdup_printf (_ ("Print %s"), id != NULL ? id : "?");
    }
  /* Translators: a user and one of their fingers, e.g. "alice — Right index finger" */
  return g_strdup_printf (_ ("%s — %s"), user != NULL && *user != '\0' ? user : _ ("Unknown user"),
                          fp_finger_name (fp_print_get_finger (print)));
}

/* ---- callbacks' context ----------------------------------------------------------------- */

typedef struct {
  RidgeReaderView *self;
  guint            generation;
} Call;

static Call *
call_new (RidgeReaderView *self)
{
  Call *call = g_new (Call, 1);

  call->self = g_object_ref (self);
  call->generation = self->generation;
  return call;
}

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call);
}

static gboolean
close_later_cb (gpointer data)
{
  ridge_reader_close_async (RIDGE_READER (data), NULL, NULL, NULL);
  return G_SOURCE_REMOVE;
}

/* A reader the view no longer shows is closed once its operation has returned. An
 * unplugged one is closed from the main loop, not from inside libfprint's "removed". */
static void
release_reader (RidgeReader *reader)
{
  RidgeReaderState state = ridge_reader_get_state (reader);

  if (state == RIDGE_READER_STATE_IDLE)
    ridge_reader_close_async (reader, NULL, NULL, NULL);
  else if (state == RIDGE_READER_STATE_REMOVED)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, close_later_cb, g_object_ref (reader),
                     g_object_unref);
}

/* TRUE when the callback belongs to the reader shown now; otherwise lets the old one go. */
static gboolean
call_current (Call    *call,
              GObject *source)
{
  if (call->generation == call->self->generation)
    return TRUE;
  release_reader (RIDGE_READER (source));
  return FALSE;
}

/* ---- state ---------------------------------------------------------------------------- */

static gboolean
has_capture (RidgeReaderView *self)
{
  return self->reader != NULL
         && (ridge_reader_get_features (self->reader) & RIDGE_READER_FEATURE_CAPTURE);
}

static void
sync_buttons (RidgeReaderView *self)
{
  gboolean usable = self->reader != NULL
                    && ridge_reader_get_state (self->reader) != RIDGE_READER_STATE_REMOVED
                    && ridge_reader_get_state (self->reader) != RIDGE_READER_STATE_CLOSED;
  gboolean can_start = usable && (self->op == OP_NONE || self->op == OP_LIVE
                                  || self->op == OP_OPEN);
  gboolean have_prints = self->prints != NULL && self->prints->len > 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->enroll_button), can_start);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_cancel_button), self->op == OP_ENROLL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->verify_button), can_start && have_prints);
  gtk_widget_set_sensitive (GTK_WIDGET (self->identify_button), can_start && have_prints);
  gtk_widget_set_visible (GTK_WIDGET (self->verify_cancel_button),
                          self->op == OP_VERIFY || self->op == OP_IDENTIFY);
  gtk_widget_set_sensitive (GTK_WIDGET (self->refresh_button), can_start);
  for (guint i = 0; self->print_rows != NULL && i < self->print_rows->len; i++)
    gtk_widget_set_sensitive (g_ptr_array_index (self->print_rows, i), can_start);
}

static void
state_changed_cb (RidgeReaderView *self)
{
  g_autofree char *subtitle = NULL;
  RidgeReaderState state;

  if (self->reader == NULL)
    return;
  state = ridge_reader_get_state (self->reader);
  switch (state)
    {
      case RIDGE_READER_STATE_OPENING:
        subtitle = g_strdup (_ ("Opening…"));
        break;
      case RIDGE_READER_STATE_REMOVED:
        subtitle = g_strdup (_ ("Unplugged"));
        adw_status_page_set_title (self->live_status, _ ("Reader Unplugged"));
        adw_status_page_set_description (self->live_status,
                                         _ ("The fingerprint reader was unplugged."));
        if (has_capture (self))
          gtk_stack_set_visible_child_name (self->live_stack, "waiting");
        /* an idle reader is closed at once; a busy one when its operation returns */
        if (self->op == OP_NONE)
          release_reader (self->reader);
        break;
      case RIDGE_READER_STATE_CLOSED:
        subtitle = g_strdup (_ ("Closed"));
        break;
      case RIDGE_READER_STATE_IDLE:
      case RIDGE_READER_STATE_BUSY:
      case RIDGE_READER_STATE_CLOSING:
      default:
        /* Translators: a libfprint driver name and the kind of reader */
        subtitle = g_strdup_printf (_ ("%s · %s"), ridge_reader_get_driver (self->reader),
                                    has_capture (self) ? _ ("image sensor")
                                                       : _ ("match on chip"));
        break;
    }
  adw_view_switcher_title_set_subtitle (self->switcher_title, subtitle);
  sync_buttons (self);
}

static gboolean
live_page_shown (RidgeReaderView *self)
{
  return gtk_widget_get_mapped (GTK_WIDGET (self))
         && g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "live") == 0;
}

static GCancellable *
new_op (RidgeReaderView *self,
        Op               op)
{
  self->op = op;
  g_clear_object (&self->op_cancellable);
  self->op_cancellable = g_cancellable_new ();
  sync_buttons (self);
  return self->op_cancellable;
}

/* ---- live view: capture, then the engine on the captured pixels ---------------------- */

typedef struct {
  RidgeImage     img;
  RidgeFeatures *features;
  int            result;
} AnalysisJob;

static void
analysis_job_free (gpointer data)
{
  AnalysisJob *job = data;

  if (job == NULL)
    return;
  ridge_image_clear (&job->img);
  if (job->features != NULL)
    ridge_features_free (job->features);
  g_free (job);
}

static void
analysis_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  AnalysisJob *job = task_data;
  const RidgeExtractOptions options = { .keep_maps = 1 };

  /* the engine is pure C without global state: safe on a worker thread */
  job->result = ridge_extract (&job->img, &options, &job->features);
  g_task_return_boolean (task, TRUE);
}

static void start_analysis (RidgeReaderView *self,
                            AnalysisJob     *job);

static void
analysis_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RidgeReaderView *self = RIDGE_READER_VIEW (source);
  AnalysisJob *job = g_task_get_task_data (G_TASK (result));
  guint generation = GPOINTER_TO_UINT (user_data);
  RidgeMap maps[RIDGE_N_MAPS];
  g_autoptr (GError) error = NULL;
  RidgeLiveFrame frame = { .image = &job->img, .quality = -1 };

  self->analyzing = FALSE;
  if (generation == self->generation)
    {
      if (job->result == RIDGE_ENGINE_OK)
        {
          frame.minutiae = ridge_features_minutiae (job->features);
          frame.n_minutiae = (guint)ridge_features_n_minutiae (job->features);
          frame.quality = ridge_features_quality (job->features);
          frame.hints = ridge_features_hints (job->features);
          for (int k = 0; k < RIDGE_N_MAPS; k++)
            if (ridge_features_map (job->features, k, &maps[frame.n_maps]) == RIDGE_ENGINE_OK)
              frame.n_maps++;
          frame.maps = maps;
        }
      else
        frame.note = job->result == RIDGE_ENGINE_E_NO_PRINT
                     ? _ ("No fingerprint was found in this image.")
                     : _ ("The features of this image could not be extracted.");
      if (ridge_live_page_push_frame (self->live_page, &frame, &error))
        gtk_stack_set_visible_child_name (self->live_stack, "frames");
      else
        {
          adw_status_page_set_title (self->live_status, _ ("The Image Cannot Be Shown"));
          adw_status_page_set_description (self->live_status, error->message);
        }
    }
  if (self->next_job != NULL)
    start_analysis (self, g_steal_pointer (&self->next_job));
}

static void
start_analysis (RidgeReaderView *self,
                AnalysisJob     *job)
{
  g_autoptr (GTask) task = NULL;

  if (self->analyzing)
    {
      /* only the newest capture is worth the engine's time */
      analysis_job_free (self->next_job);
      self->next_job = job;
      return;
    }
  self->analyzing = TRUE;
  task = g_task_new (self, NULL, analysis_done_cb, GUINT_TO_POINTER (self->generation));
  g_task_set_source_tag (task, start_analysis);
  g_task_set_task_data (task, job, analysis_job_free);
  g_task_run_in_thread (task, analysis_thread);
}

static void
capture_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeReaderCapture) capture = NULL;

  capture = ridge_reader_capture_finish (RIDGE_READER (source), result, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  self->op = OP_NONE;
  if (capture != NULL)
    {
      AnalysisJob *job = g_new0 (AnalysisJob, 1);

      job->img = capture->image;          /* the pixels move to the job */
      capture->image.pixels = NULL;
      start_analysis (self, job);
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->live_error = TRUE;
      gtk_widget_set_visible (GTK_WIDGET (self->live_retry_button), TRUE);
      adw_status_page_set_title (self->live_status, _ ("No Image"));
      adw_status_page_set_description (self->live_status, error->message);
      gtk_stack_set_visible_child_name (self->live_stack, "waiting");
    }
  after_op (self);
  call_free (call);
}

static void
start_capture (RidgeReaderView *self)
{
  ridge_reader_capture_async (self->reader, new_op (self, OP_LIVE), capture_done_cb,
                              call_new (self));
}

static void
maybe_start_live (RidgeReaderView *self)
{
  if (self->op != OP_NONE || self->reader == NULL || !has_capture (self) || self->live_error
      || ridge_reader_get_state (self->reader) != RIDGE_READER_STATE_IDLE
      || !live_page_shown (self))
    return;
  start_capture (self);
}

/* after a failed capture: the loop starts again when asked (or the page is shown again) */
static void
live_retry_cb (RidgeReaderView *self)
{
  self->live_error = FALSE;
  gtk_widget_set_visible (GTK_WIDGET (self->live_retry_button), FALSE);
  adw_status_page_set_title (self->live_status, _ ("Place a Finger on the Reader"));
  adw_status_page_set_description (self->live_status,
                                   _ ("The reader's images appear here with the features Ridge "
                                      "finds in them."));
  maybe_start_live (self);
}

static void
retry_live_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  live_retry_cb (RIDGE_READER_VIEW (widget));
}

/* ---- operations ----------------------------------------------------------------------- */

static void start_op (RidgeReaderView *self,
                      Op               op);

static void
after_op (RidgeReaderView *self)
{
  Op next = self->pending;

  self->op = OP_NONE;
  self->pending = OP_NONE;
  if (self->reader != NULL && ridge_reader_get_state (self->reader) == RIDGE_READER_STATE_REMOVED)
    {
      g_clear_object (&self->pending_print);
      release_reader (self->reader);
      sync_buttons (self);
      return;
    }
  if (next != OP_NONE)
    start_op (self, next);
  else
    maybe_start_live (self);
  sync_buttons (self);
}

/* Runs op now, or after the live capture has yielded. Returns FALSE (with a sentence in
 * *message) when the reader cannot take it. */
static gboolean
request_op (RidgeReaderView *self,
            Op               op,
            const char     **message)
{
  RidgeReaderState state = self->reader != NULL ? ridge_reader_get_state (self->reader)
                                                : RIDGE_READER_STATE_REMOVED;

  if (state == RIDGE_READER_STATE_REMOVED)
    {
      *message = _ ("The fingerprint reader was unplugged.");
      return FALSE;
    }
  if (self->op == OP_NONE && state == RIDGE_READER_STATE_IDLE)
    {
      start_op (self, op);
      return TRUE;
    }
  if (self->op == OP_LIVE || self->op == OP_OPEN)
    {
      self->pending = op;
      if (self->op == OP_LIVE)
        g_cancellable_cancel (self->op_cancellable);
      return TRUE;
    }
  if (self->op == OP_NONE)
    {
      *message = _ ("The fingerprint reader is not open.");
      return FALSE;
    }
  *message = _ ("The fingerprint reader is busy with another task. Wait for it to finish, "
                "then try again.");
  return FALSE;
}

/* enroll */

static void
enroll_progress_cb (RidgeReaderView *self,
                    int              stage,
                    int              n_stages,
                    const char      *retry)
{
  g_autofree char *text = NULL;

  if (self->op != OP_ENROLL)
    return;
  if (retry != NULL)
    {
      gtk_label_set_label (self->enroll_message, retry);
      return;
    }
  /* Translators: enrollment progress, e.g. "Sample 2 of 5" */
  text = g_strdup_printf (_ ("Sample %d of %d"), stage, n_stages);
  gtk_label_set_label (self->enroll_stage_label, text);
  gtk_progress_bar_set_fraction (self->enroll_progress,
                                 n_stages > 0 ? (double)stage / n_stages : 0);
  gtk_label_set_label (self->enroll_message,
                       stage < n_stages ? _ ("Lift the finger and place it on the reader again.")
                                        : _ ("Saving the print…"));
}

static void
enroll_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) print = NULL;

  print = ridge_reader_enroll_finish (RIDGE_READER (source), result, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_progress), FALSE);
  /* kept here (image sensors), or a copy of what the chip keeps: user and finger for its
   * list, which may not give them */
  if (print != NULL && !ridge_reader_store_local_print (self->reader, print, &error))
    {
      if (!ridge_reader_keeps_prints (self->reader))
        g_clear_object (&print);
      else
        {
          g_warning ("No local copy of the print enrolled on %s: %s",
                     ridge_reader_get_name (self->reader), error->message);
          g_clear_error (&error);
        }
    }
  if (print != NULL)
    {
      g_autofree char *title = print_title (print);
      g_autofree char *text = g_strdup_printf (_ ("%s is enrolled."), title);

      gtk_label_set_label (self->enroll_stage_label, _ ("Enrolled"));
      gtk_label_set_label (self->enroll_message, text);
      gtk_editable_set_text (GTK_EDITABLE (self->user_row), "");
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_label_set_label (self->enroll_stage_label, _ ("Enrollment Cancelled"));
      gtk_label_set_label (self->enroll_message, "");
    }
  else
    {
      gtk_label_set_label (self->enroll_stage_label, _ ("Enrollment Failed"));
      gtk_label_set_label (self->enroll_message, error->message);
    }
  self->op = OP_NONE;
  if (print != NULL && ridge_reader_keeps_prints (self->reader))
    self->pending = OP_LIST;         /* read the chip's list once the reader is free */
  else if (print != NULL)
    refresh_prints (self);
  after_op (self);
  call_free (call);
}

static void
start_enroll (RidgeReaderView *self)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                         self->user_row))));
  guint finger = adw_combo_row_get_selected (self->finger_row) + 1;
  g_autofree char *text = g_strdup_printf (_ ("Sample %d of %d"), 0,
                                           ridge_reader_get_enroll_stages (self->reader));

  gtk_label_set_label (self->enroll_stage_label, text);
  gtk_label_set_label (self->enroll_message, _ ("Place the finger on the reader."));
  gtk_progress_bar_set_fraction (self->enroll_progress, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_progress), TRUE);
  ridge_reader_enroll_async (self->reader, finger_to_fp (MIN (finger, 10)), user,
                             new_op (self, OP_ENROLL), enroll_done_cb, call_new (self));
}

static void
enroll_clicked_cb (RidgeReaderView *self)
{
  g_autofree char *user = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                         self->user_row))));
  const char *message = NULL;

  if (*user == '\0')
    {
      gtk_label_set_label (self->enroll_stage_label, "");
      gtk_label_set_label (self->enroll_message, _ ("Enter the name of the user first."));
      return;
    }
  if (!request_op (self, OP_ENROLL, &message))
    gtk_label_set_label (self->enroll_message, message);
}

/* verify / identify */

static void
retry_cb (RidgeReaderView *self,
          const char      *sentence)
{
  if (self->op == OP_VERIFY || self->op == OP_IDENTIFY)
    gtk_label_set_label (self->match_detail, sentence);
}

static void
show_match_error (RidgeReaderView *self,
                  const GError    *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      gtk_label_set_label (self->match_label, "");
      gtk_label_set_label (self->match_detail, _ ("Cancelled."));
      return;
    }
  gtk_label_set_label (self->match_label, _ ("No Result"));
  gtk_label_set_label (self->match_detail, error->message);
}

static void
verify_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) print = NULL;
  gboolean match = FALSE;
  gboolean ok;

  ok = ridge_reader_verify_finish (RIDGE_READER (source), result, &match, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  print = g_steal_pointer (&self->pending_print);
  if (!ok)
    show_match_error (self, error);
  else
    {
      g_autofree char *title = print_title (print);
      g_autofree char *text = NULL;

      gtk_label_set_label (self->match_label, match ? _ ("Match") : _ ("No Match"));
      text = g_strdup_printf (match ? _ ("The finger is %s.") : _ ("The finger is not %s."),
                              title);
      gtk_label_set_label (self->match_detail, text);
    }
  after_op (self);
  call_free (call);
}

static void
identify_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (FpPrint) match = NULL;
  gboolean ok;

  ok = ridge_reader_identify_finish (RIDGE_READER (source), result, &match, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  if (!ok)
    show_match_error (self, error);
  else if (match != NULL)
    {
      g_autofree char *title = print_title (match);
      g_autofree char *text = g_strdup_printf (_ ("The finger is %s."), title);

      gtk_label_set_label (self->match_label, _ ("Match"));
      gtk_label_set_label (self->match_detail, text);
    }
  else
    {
      gtk_label_set_label (self->match_label, _ ("No Match"));
      gtk_label_set_label (self->match_detail,
                           _ ("The finger matches none of the enrolled prints."));
    }
  after_op (self);
  call_free (call);
}

static void
start_verify (RidgeReaderView *self)
{
  gtk_label_set_label (self->match_label, "");
  gtk_label_set_label (self->match_detail, _ ("Place the finger on the reader."));
  ridge_reader_verify_async (self->reader, self->pending_print, new_op (self, OP_VERIFY),
                             verify_done_cb, call_new (self));
}

static void
start_identify (RidgeReaderView *self)
{
  gtk_label_set_label (self->match_label, "");
  gtk_label_set_label (self->match_detail, _ ("Place a finger on the reader."));
  ridge_reader_identify_async (self->reader, self->prints, new_op (self, OP_IDENTIFY),
                               identify_done_cb, call_new (self));
}

static void
verify_clicked_cb (RidgeReaderView *self)
{
  guint index = adw_combo_row_get_selected (self->print_row);
  const char *message = NULL;

  if (self->prints == NULL || index >= self->prints->len)
    {
      gtk_label_set_label (self->match_detail, _ ("Enroll a finger first."));
      return;
    }
  g_set_object (&self->pending_print, g_ptr_array_index (self->prints, index));
  if (!request_op (self, OP_VERIFY, &message))
    {
      g_clear_object (&self->pending_print);
      gtk_label_set_label (self->match_detail, message);
    }
}

static void
identify_clicked_cb (RidgeReaderView *self)
{
  const char *message = NULL;

  if (self->prints == NULL || self->prints->len == 0)
    {
      gtk_label_set_label (self->match_detail, _ ("Enroll a finger first."));
      return;
    }
  if (!request_op (self, OP_IDENTIFY, &message))
    gtk_label_set_label (self->match_detail, message);
}

static void
cancel_clicked_cb (RidgeReaderView *self)
{
  if (self->op == OP_ENROLL || self->op == OP_VERIFY || self->op == OP_IDENTIFY)
    g_cancellable_cancel (self->op_cancellable);
}

/* prints */

static void delete_print (RidgeReaderView *self,
                          FpPrint         *print);

static void
delete_row_clicked_cb (GtkButton       *button,
                       RidgeReaderView *self)
{
  delete_print (self, g_object_get_data (G_OBJECT (button), "print"));
}

static void
set_prints (RidgeReaderView *self,
            GPtrArray       *prints)
{
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->print_names));
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = NULL;

  g_clear_pointer (&self->prints, g_ptr_array_unref);
  self->prints = prints != NULL ? g_ptr_array_ref (prints) : NULL;
  for (guint i = 0; i < self->print_rows->len; i++)
    adw_preferences_group_remove (self->prints_group, g_ptr_array_index (self->print_rows, i));
  g_ptr_array_set_size (self->print_rows, 0);

  for (guint i = 0; prints != NULL && i < prints->len; i++)
    {
      FpPrint *print = g_ptr_array_index (prints, i);
      g_autofree char *title = print_title (print);
      g_autofree char *id = ridge_fprint_print_id (print, NULL);
      g_autofree char *subtitle = NULL;
      g_autofree char *label = NULL;
      const GDate *date = fp_print_get_enroll_date (print);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *button = gtk_button_new_from_icon_name ("user-trash-symbolic");
      char when[32] = "";

      if (date != NULL && g_date_valid (date))
        g_date_strftime (when, sizeof when, "%Y-%m-%d", date);
      /* Translators: enrollment date and the print's short id */
      if (*when != '\0')
        subtitle = g_strdup_printf (_ ("Enrolled %s · %s"), when, id ? id : "?");
      else if (id != NULL && strstr (title, id) == NULL)
        subtitle = g_strdup (id);
      /* else the title ("Print ID") already says all there is */
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      if (subtitle != NULL)
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _ ("Delete Print"));
      label = g_strdup_printf (_ ("Delete %s"), title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      label, -1);
      g_object_set_data_full (G_OBJECT (button), "print", g_object_ref (print), g_object_unref);
      g_signal_connect_object (button, "clicked", G_CALLBACK (delete_row_clicked_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      adw_preferences_group_add (self->prints_group, row);
      g_ptr_array_add (self->print_rows, row);
      g_ptr_array_add (names, g_steal_pointer (&title));
    }
  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->print_names, 0, old, (const char * const *)names->pdata);

  if (self->reader == NULL)
    gtk_label_set_label (self->prints_message, "");
  else if (ridge_reader_keeps_prints (self->reader))
    gtk_label_set_label (self->prints_message,
                         prints != NULL && prints->len > 0
                         ? _ ("These prints are stored on the reader itself.")
                         : _ ("No prints are stored on the reader."));
  else
    {
      g_autofree char *text = NULL;

      dir = ridge_reader_dup_local_dir (self->reader);
      text = g_strdup_printf (prints != NULL && prints->len > 0
                              ? _ ("This reader keeps no prints itself: Ridge keeps them on "
                                   "this computer, in %s.")
                              : _ ("No prints enrolled yet. Ridge will keep them on this "
                                   "computer, in %s."),
                              dir);
      gtk_label_set_label (self->prints_message, text);
    }
  sync_buttons (self);
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;

  prints = ridge_reader_list_prints_finish (RIDGE_READER (source), result, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  if (prints != NULL)
    /* shown once the local copies are read (on a thread) and put in place of theirs */
    read_local_prints (self, prints);
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtk_label_set_label (self->prints_message, error->message);
  after_op (self);
  call_free (call);
}

static void
start_list (RidgeReaderView *self)
{
  ridge_reader_list_prints_async (self->reader, new_op (self, OP_LIST), list_done_cb,
                                  call_new (self));
}

typedef struct {
  RidgeReaderView *self;
  GPtrArray       *listed;  /* the chip's list, to show with the local copies; or NULL */
} LocalRead;

static void
local_prints_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  LocalRead *read = user_data;
  g_autoptr (RidgeReaderView) self = read->self;
  g_autoptr (GPtrArray) listed = read->listed;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) prints = NULL;

  g_free (read);
  prints = ridge_reader_load_local_prints_finish (RIDGE_READER (source), result, &error);
  /* a newer read, another reader or a closed view cancelled this one */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->local_cancellable);
  if (listed != NULL)
    {
      if (prints != NULL)
        ridge_fprint_adopt_local_copies (listed, prints);
      else
        g_debug ("No local copies of the reader's prints: %s", error->message);
      set_prints (self, listed);
    }
  else if (prints == NULL)
    gtk_label_set_label (self->prints_message, error->message);
  else
    set_prints (self, prints);
  sync_buttons (self);
}

/* Reads the local print folder on a thread, then shows its prints, or listed (transfer
 * none; a chip's list) with the local copies in place of theirs. */
static void
read_local_prints (RidgeReaderView *self,
                   GPtrArray       *listed)
{
  LocalRead *read = g_new0 (LocalRead, 1);

  if (self->local_cancellable != NULL)
    g_cancellable_cancel (self->local_cancellable);
  g_clear_object (&self->local_cancellable);
  self->local_cancellable = g_cancellable_new ();
  read->self = g_object_ref (self);
  read->listed = listed != NULL ? g_ptr_array_ref (listed) : NULL;
  ridge_reader_load_local_prints_async (self->reader, self->local_cancellable, local_prints_cb,
                                        read);
}

/* Reads the prints again: from the chip (an operation), or from the local folder (on a
 * thread: the files are never read on the main thread). */
static void
refresh_prints (RidgeReaderView *self)
{
  const char *message = NULL;

  if (self->reader == NULL)
    return;
  if (ridge_reader_keeps_prints (self->reader))
    {
      if (self->pending == OP_LIST || self->op == OP_LIST)
        return;
      if (self->op != OP_NONE && self->op != OP_LIVE && self->op != OP_OPEN)
        self->pending = OP_LIST;       /* after the running operation */
      else if (!request_op (self, OP_LIST, &message))
        gtk_label_set_label (self->prints_message, message);
      return;
    }
  read_local_prints (self, NULL);
}

static void
refresh_clicked_cb (RidgeReaderView *self)
{
  refresh_prints (self);
}

static void
delete_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = ridge_reader_delete_print_finish (RIDGE_READER (source), result, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  if (!ok)
    gtk_label_set_label (self->prints_message, error->message);
  else
    {
      /* the local copy of a print enrolled here goes too */
      g_autofree char *id = ridge_fprint_print_id (self->pending_print, NULL);
      g_autoptr (GError) local = NULL;

      if (id != NULL && !ridge_reader_delete_local_print (self->reader, id, &local)
          && !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        gtk_label_set_label (self->prints_message, local->message);
    }
  g_clear_object (&self->pending_print);
  self->pending = OP_LIST;         /* show what is left */
  self->op = OP_NONE;
  after_op (self);
  call_free (call);
}

static void
start_delete (RidgeReaderView *self)
{
  ridge_reader_delete_print_async (self->reader, self->pending_print, new_op (self, OP_DELETE),
                                   delete_done_cb, call_new (self));
}

static void
delete_response_cb (RidgeReaderView  *self,
                    const char       *response,
                    AdwMessageDialog *dialog)
{
  FpPrint *print = g_object_get_data (G_OBJECT (dialog), "print");
  g_autoptr (GError) error = NULL;
  const char *message = NULL;

  if (self->delete_dialog == dialog)
    self->delete_dialog = NULL;
  if (g_strcmp0 (response, "delete") != 0 || self->reader == NULL || print == NULL)
    return;
  if (ridge_reader_keeps_prints (self->reader))
    {
      g_set_object (&self->pending_print, print);
      if (!request_op (self, OP_DELETE, &message))
        {
          g_clear_object (&self->pending_print);
          gtk_label_set_label (self->prints_message, message);
        }
      return;
    }
  {
    g_autofree char *id = ridge_fprint_print_id (print, &error);

    if (id == NULL || !ridge_reader_delete_local_print (self->reader, id, &error))
      {
        gtk_label_set_label (self->prints_message, error->message);
        return;
      }
  }
  refresh_prints (self);
}

static void
delete_print (RidgeReaderView *self,
              FpPrint         *print)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *title = print_title (print);
  g_autofree char *body = NULL;
  GtkWidget *dialog;

  body = g_strdup_printf (ridge_reader_keeps_prints (self->reader)
                          ? _ ("%s is erased from the reader's memory. This cannot be undone.")
                          : _ ("%s is erased from this computer. This cannot be undone."),
                          title);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Delete This Print?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "delete", _ ("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "print", g_object_ref (print), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self,
                           G_CONNECT_SWAPPED);
  self->delete_dialog = ADW_MESSAGE_DIALOG (dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
start_op (RidgeReaderView *self,
          Op               op)
{
  switch (op)
    {
      case OP_LIVE: start_capture (self); break;
      case OP_ENROLL: start_enroll (self); break;
      case OP_VERIFY: start_verify (self); break;
      case OP_IDENTIFY: start_identify (self); break;
      case OP_LIST: start_list (self); break;
      case OP_DELETE: start_delete (self); break;
      case OP_OPEN:
      case OP_NONE:
      default:
        g_assert_not_reached ();
    }
}

/* open */

static void
open_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Call *call = user_data;
  RidgeReaderView *self = call->self;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  ok = ridge_reader_open_finish (RIDGE_READER (source), result, &error);
  if (!call_current (call, source))
    {
      call_free (call);
      return;
    }
  if (!ok)
    {
      self->op = OP_NONE;
      self->pending = OP_NONE;
      adw_view_switcher_title_set_subtitle (self->switcher_title, error->message);
      adw_status_page_set_title (self->live_status, _ ("The Reader Cannot Be Opened"));
      adw_status_page_set_description (self->live_status, error->message);
      gtk_label_set_label (self->enroll_message, error->message);
      gtk_label_set_label (self->prints_message, error->message);
      sync_buttons (self);
      call_free (call);
      return;
    }
  state_changed_cb (self);
  if (self->pending == OP_NONE)
    {
      const char *page = adw_view_stack_get_visible_child_name (self->view_stack);

      /* the chip's prints are read now unless the live view wants the reader */
      if (ridge_reader_keeps_prints (self->reader) && g_strcmp0 (page, "live") != 0)
        self->pending = OP_LIST;
    }
  after_op (self);
  call_free (call);
}

/* ---- pages ---------------------------------------------------------------------------- */

static void
page_changed_cb (RidgeReaderView *self)
{
  const char *page;

  if (self->view_stack == NULL || self->print_rows == NULL)
    return;
  page = adw_view_stack_get_visible_child_name (self->view_stack);
  if (g_strcmp0 (page, "live") == 0)
    {
      if (self->live_error)
        live_retry_cb (self);
      else
        maybe_start_live (self);
    }
  else
    {
      if (self->op == OP_LIVE)
        g_cancellable_cancel (self->op_cancellable);
      if (g_strcmp0 (page, "prints") == 0 || g_strcmp0 (page, "verify") == 0)
        refresh_prints (self);
    }
}

static void
ridge_reader_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ridge_reader_view_parent_class)->map (widget);
  maybe_start_live (RIDGE_READER_VIEW (widget));
}

static void
ridge_reader_view_unmap (GtkWidget *widget)
{
  RidgeReaderView *self = RIDGE_READER_VIEW (widget);

  GTK_WIDGET_CLASS (ridge_reader_view_parent_class)->unmap (widget);
  if (self->op == OP_LIVE)
    g_cancellable_cancel (self->op_cancellable);
}

/* ---- public --------------------------------------------------------------------------- */

static void
reset_pages (RidgeReaderView *self)
{
  g_autofree char *text = NULL;

  ridge_live_page_clear (self->live_page);
  gtk_widget_set_visible (GTK_WIDGET (self->live_retry_button), FALSE);
  adw_status_page_set_title (self->live_status, _ ("Place a Finger on the Reader"));
  adw_status_page_set_description (self->live_status,
                                   _ ("The reader's images appear here with the features Ridge "
                                      "finds in them."));
  gtk_stack_set_visible_child_name (self->live_stack, has_capture (self) || self->reader == NULL
                                                      ? "waiting" : "no-images");
  gtk_label_set_label (self->enroll_stage_label, "");
  gtk_label_set_label (self->enroll_message, "");
  gtk_widget_set_visible (GTK_WIDGET (self->enroll_progress), FALSE);
  if (self->reader != NULL)
    {
      /* Translators: %d is the number of scans libfprint needs for one print */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "The reader needs %d scan of the finger.",
                                           "The reader needs %d scans of the finger.",
                                           (gulong)MAX (ridge_reader_get_enroll_stages (
                                                          self->reader), 0)),
                              ridge_reader_get_enroll_stages (self->reader));
      adw_preferences_group_set_description (self->enroll_group, text);
    }
  gtk_label_set_label (self->match_label, "");
  gtk_label_set_label (self->match_detail, "");
  set_prints (self, NULL);
}

void
ridge_reader_view_set_reader (RidgeReaderView *self,
                              RidgeReader     *reader)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  g_return_if_fail (reader == NULL || RIDGE_IS_READER (reader));

  if (self->reader == reader)
    return;
  if (self->reader != NULL)
    {
      g_clear_signal_handler (&self->state_handler, self->reader);
      g_clear_signal_handler (&self->progress_handler, self->reader);
      g_clear_signal_handler (&self->retry_handler, self->reader);
      if (self->op_cancellable != NULL)
        g_cancellable_cancel (self->op_cancellable);
      /* closed now when idle, else by the callback of its running operation */
      if (self->op == OP_NONE)
        release_reader (self->reader);
    }
  if (self->delete_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->delete_dialog));
  self->generation++;
  self->op = OP_NONE;
  self->pending = OP_NONE;
  self->live_error = FALSE;
  g_clear_object (&self->pending_print);
  g_clear_object (&self->op_cancellable);
  if (self->local_cancellable != NULL)
    g_cancellable_cancel (self->local_cancellable);
  g_clear_object (&self->local_cancellable);
  g_set_object (&self->reader, reader);
  reset_pages (self);

  if (reader == NULL)
    {
      adw_view_switcher_title_set_title (self->switcher_title, "");
      adw_view_switcher_title_set_subtitle (self->switcher_title, "");
      sync_buttons (self);
      return;
    }
  self->state_handler = g_signal_connect_object (reader, "notify::state",
                                                 G_CALLBACK (state_changed_cb), self,
                                                 G_CONNECT_SWAPPED);
  self->progress_handler = g_signal_connect_object (reader, "enroll-progress",
                                                    G_CALLBACK (enroll_progress_cb), self,
                                                    G_CONNECT_SWAPPED);
  self->retry_handler = g_signal_connect_object (reader, "retry", G_CALLBACK (retry_cb), self,
                                                 G_CONNECT_SWAPPED);
  adw_view_switcher_title_set_title (self->switcher_title, ridge_reader_get_name (reader));
  if (ridge_reader_get_state (reader) == RIDGE_READER_STATE_IDLE)
    {
      /* opened by someone else before: usable as it is */
      state_changed_cb (self);
      if (!has_capture (self))
        refresh_prints (self);
      else
        {
          refresh_prints (self);
          maybe_start_live (self);
        }
      return;
    }
  self->op = OP_OPEN;
  state_changed_cb (self);
  ridge_reader_open_async (reader, NULL, open_done_cb, call_new (self));
}

RidgeReader *
ridge_reader_view_get_reader (RidgeReaderView *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  return self->reader;
}

void
ridge_reader_view_set_show_back (RidgeReaderView *self,
                                 gboolean         show_back)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  gtk_widget_set_visible (GTK_WIDGET (self->back_button), show_back);
  adw_header_bar_set_show_start_title_buttons (self->header_bar, show_back);
}

void
ridge_reader_view_set_visible_page (RidgeReaderView *self,
                                    const char      *name)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  adw_view_stack_set_visible_child_name (self->view_stack, name);
}

RidgeLivePage *
ridge_reader_view_get_live_page (RidgeReaderView *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  return self->live_page;
}

guint
ridge_reader_view_get_n_prints (RidgeReaderView *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), 0);
  return self->prints != NULL ? self->prints->len : 0;
}

const char *
ridge_reader_view_get_activity (RidgeReaderView *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  /* the local folder read on its thread counts as a listing */
  if (self->op == OP_NONE && self->local_cancellable != NULL)
    return op_names[OP_LIST];
  return op_names[self->op];
}

void
ridge_reader_view_enroll (RidgeReaderView *self,
                          const char      *user,
                          guint            finger)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  g_return_if_fail (finger >= 1 && finger <= 10);
  gtk_editable_set_text (GTK_EDITABLE (self->user_row), user != NULL ? user : "");
  adw_combo_row_set_selected (self->finger_row, finger - 1);
  enroll_clicked_cb (self);
}

void
ridge_reader_view_verify (RidgeReaderView *self,
                          guint            print_index)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  adw_combo_row_set_selected (self->print_row, print_index);
  verify_clicked_cb (self);
}

void
ridge_reader_view_identify (RidgeReaderView *self)
{
  g_return_if_fail (RIDGE_IS_READER_VIEW (self));
  identify_clicked_cb (self);
}

AdwMessageDialog *
ridge_reader_view_delete_print (RidgeReaderView *self,
                                guint            print_index)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  g_return_val_if_fail (self->prints != NULL && print_index < self->prints->len, NULL);
  delete_print (self, g_ptr_array_index (self->prints, print_index));
  return self->delete_dialog;
}

const char *
ridge_reader_view_get_headline (RidgeReaderView *self,
                                const char      *page)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  if (g_strcmp0 (page, "live") == 0)
    return gtk_stack_get_visible_child_name (self->live_stack);
  if (g_strcmp0 (page, "enroll") == 0)
    return gtk_label_get_label (self->enroll_stage_label);
  if (g_strcmp0 (page, "verify") == 0)
    return gtk_label_get_label (self->match_label);
  if (g_strcmp0 (page, "prints") == 0)
    return gtk_label_get_label (self->prints_message);
  return NULL;
}

const char *
ridge_reader_view_get_detail (RidgeReaderView *self,
                              const char      *page)
{
  g_return_val_if_fail (RIDGE_IS_READER_VIEW (self), NULL);
  if (g_strcmp0 (page, "live") == 0)
    return adw_status_page_get_description (self->live_status);
  if (g_strcmp0 (page, "enroll") == 0)
    return gtk_label_get_label (self->enroll_message);
  if (g_strcmp0 (page, "verify") == 0)
    return gtk_label_get_label (self->match_detail);
  return NULL;
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
ridge_reader_view_dispose (GObject *object)
{
  RidgeReaderView *self = RIDGE_READER_VIEW (object);

  if (self->print_rows != NULL)
    ridge_reader_view_set_reader (self, NULL);
  self->generation++;                /* engine results still on their way are dropped */
  if (self->local_cancellable != NULL)
    g_cancellable_cancel (self->local_cancellable);
  g_clear_object (&self->local_cancellable);
  g_clear_pointer (&self->print_rows, g_ptr_array_unref);
  g_clear_pointer (&self->prints, g_ptr_array_unref);
  g_clear_pointer (&self->next_job, analysis_job_free);
  g_clear_object (&self->print_names);
  if (self->switcher_bar != NULL)
    adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  if (self->switcher_title != NULL)
    adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_READER_VIEW);
  G_OBJECT_CLASS (ridge_reader_view_parent_class)->dispose (object);
}

static void
ridge_reader_view_class_init (RidgeReaderViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_reader_view_dispose;
  widget_class->map = ridge_reader_view_map;
  widget_class->unmap = ridge_reader_view_unmap;

  g_type_ensure (RIDGE_TYPE_LIVE_PAGE);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-reader-view.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, header_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, back_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, view_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, live_stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, live_status);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, live_retry_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, live_page);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, user_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, finger_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_stage_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_progress);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, enroll_message);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, print_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, verify_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, identify_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, verify_cancel_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, match_label);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, match_detail);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, prints_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeReaderView, prints_message);
  gtk_widget_class_bind_template_callback (widget_class, page_changed_cb);
  gtk_widget_class_install_action (widget_class, "reader.retry-live", NULL, retry_live_action);
  gtk_widget_class_bind_template_callback (widget_class, enroll_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, verify_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, identify_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, refresh_clicked_cb);
}

static void
ridge_reader_view_init (RidgeReaderView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->print_rows = g_ptr_array_new ();
  self->print_names = gtk_string_list_new (NULL);
  adw_combo_row_set_model (self->print_row, G_LIST_MODEL (self->print_names));
  reset_pages (self);
  sync_buttons (self);
}

GtkWidget *
ridge_reader_view_new (void)
{
  return g_object_new (RIDGE_TYPE_READER_VIEW, NULL);
}
