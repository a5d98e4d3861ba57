/* ridge-fprint.c — local USB fingerprint readers through libfprint
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-fprint"
#include "config.h"

#include "ridge-fprint.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (ridge - fprint - error - quark, ridge_fprint_error)

/* ---- Errors as sentences ---------------------------------------------------------------- */

const char *
ridge_fprint_error_sentence (const GError * error)
{
  if (error == NULL)
    return "Something went wrong with the fingerprint reader.";

  if (error->domain == FP_DEVICE_RETRY)
    {
      switch ((FpDeviceRetry)error->code)
        {
          case FP_DEVICE_RETRY_TOO_SHORT:
            return "The swipe was too short. Swipe the whole finger again, a little slower.";
          case FP_DEVICE_RETRY_CENTER_FINGER:
            return "The finger was not in the middle of the reader. Place it again, centred.";
          case FP_DEVICE_RETRY_REMOVE_FINGER:
            return "The scan did not work. Lift your finger and place it on the reader again.";
          case FP_DEVICE_RETRY_GENERAL:
          default:
            return "The scan was not good enough. Place your finger on the reader again.";
        }
    }

  if (error->domain == FP_DEVICE_ERROR)
    {
      switch ((FpDeviceError)error->code)
        {
          case FP_DEVICE_ERROR_NOT_SUPPORTED:
            return "This fingerprint reader cannot do that.";
          case FP_DEVICE_ERROR_NOT_OPEN:
            return "The fingerprint reader is not open yet.";
          case FP_DEVICE_ERROR_ALREADY_OPEN:
            return "The fingerprint reader is already open.";
          case FP_DEVICE_ERROR_BUSY:
            return "The fingerprint reader is busy with another task. Wait for it to finish, "
                   "then try again.";
          case FP_DEVICE_ERROR_PROTO:
            return "The fingerprint reader did not answer as expected. Unplug it, plug it in "
                   "again and retry.";
          case FP_DEVICE_ERROR_DATA_INVALID:
            return "The fingerprint data does not suit this reader. Enroll the finger again.";
          case FP_DEVICE_ERROR_DATA_NOT_FOUND:
            return "This fingerprint is not stored on the reader.";
          case FP_DEVICE_ERROR_DATA_FULL:
            return "The fingerprint reader's memory is full. Delete a stored fingerprint first.";
          case FP_DEVICE_ERROR_DATA_DUPLICATE:
            return "This finger is already enrolled on the reader.";
          case FP_DEVICE_ERROR_REMOVED:
            return "The fingerprint reader was unplugged.";
          case FP_DEVICE_ERROR_TOO_HOT:
            return "The fingerprint reader is too hot. Let it cool down for a few minutes, "
                   "then try again.";
          case FP_DEVICE_ERROR_GENERAL:
          default:
            return "The fingerprint reader reported a problem. Try again; if it keeps "
                   "failing, unplug the reader and plug it in again.";
        }
    }

  if (error->domain == RIDGE_FPRINT_ERROR)
    {
      switch ((RidgeFprintError)error->code)
        {
          case RIDGE_FPRINT_ERROR_BUSY:
            return "The fingerprint reader is busy with another task. Wait for it to finish, "
                   "then try again.";
          case RIDGE_FPRINT_ERROR_NOT_SUPPORTED:
            return "This fingerprint reader cannot do that.";
          case RIDGE_FPRINT_ERROR_BAD_IMAGE:
            return "The fingerprint reader sent an image of a size Ridge cannot use.";
          case RIDGE_FPRINT_ERROR_FORMAT:
            return "The fingerprint data is damaged or is not a libfprint print.";
          case RIDGE_FPRINT_ERROR_REMOVED:
            return "The fingerprint reader was unplugged.";
          case RIDGE_FPRINT_ERROR_FAILED:
          default:
            return "Something went wrong with the fingerprint reader.";
        }
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "The operation was cancelled.";

  return error->message;
}

/* Same domain and code, the sentence as message (the original goes to the debug log). */
static GError *
humanize (GError *error)
{
  GError *human;

  if (error->domain != FP_DEVICE_ERROR && error->domain != FP_DEVICE_RETRY)
    return error;
  g_debug ("libfprint: %s", error->message);
  human = g_error_new_literal (error->domain, error->code, ridge_fprint_error_sentence (error));
  g_error_free (error);
  return human;
}

static void
set_ridge_error (GError         **error,
                 RidgeFprintError code)
{
  GError tmp = { RIDGE_FPRINT_ERROR, code, NULL };

  g_set_error_literal (error, RIDGE_FPRINT_ERROR, code, ridge_fprint_error_sentence (&tmp));
}

/* ---- Captures ------------------------------------------------------------------------- */

void
ridge_reader_capture_free (RidgeReaderCapture *capture)
{
  if (capture == NULL)
    return;
  ridge_image_clear (&capture->image);
  g_free (capture);
}

/* ---- Reader --------------------------------------------------------------------------- */

struct _RidgeReader {
  GObject          parent_instance;
  FpDevice        *device;
  RidgeReaderState state;
  gboolean         closing_removed;  /* the close of an unplugged reader is under way */
};

G_DEFINE_FINAL_TYPE (RidgeReader, ridge_reader, G_TYPE_OBJECT);

enum {
  PROP_0,
  PROP_NAME,
  PROP_DRIVER,
  PROP_DEVICE_ID,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_ENROLL_PROGRESS,
  SIGNAL_RETRY,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
ridge_reader_dispose (GObject *object)
{
  RidgeReader *self = RIDGE_READER (object);

  g_clear_object (&self->device);
  G_OBJECT_CLASS (ridge_reader_parent_class)->dispose (object);
}

static void
ridge_reader_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  RidgeReader *self = RIDGE_READER (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, ridge_reader_get_name (self));
        break;
      case PROP_DRIVER:
        g_value_set_string (value, ridge_reader_get_driver (self));
        break;
      case PROP_DEVICE_ID:
        g_value_set_string (value, ridge_reader_get_device_id (self));
        break;
      case PROP_STATE:
        g_value_set_int (value, self->state);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_reader_class_init (RidgeReaderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_reader_dispose;
  object_class->get_property = ridge_reader_get_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL,
                                               G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DRIVER] = g_param_spec_string ("driver", NULL, NULL, NULL,
                                                 G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DEVICE_ID] = g_param_spec_string ("device-id", NULL, NULL, NULL,
                                                    G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL,
                                             RIDGE_READER_STATE_CLOSED,
                                             RIDGE_READER_STATE_REMOVED,
                                             RIDGE_READER_STATE_CLOSED,
                                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                             | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (int stage, int n_stages, const char *retry_sentence_or_NULL) */
  signals[SIGNAL_ENROLL_PROGRESS] =
    g_signal_new ("enroll-progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_INT, G_TYPE_INT, G_TYPE_STRING);
  /* (const char *sentence) during verify / identify */
  signals[SIGNAL_RETRY] =
    g_signal_new ("retry", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
ridge_reader_init (RidgeReader *self)
{
  self->state = RIDGE_READER_STATE_CLOSED;
}

static void set_state (RidgeReader     *self,
                       RidgeReaderState state);

static void
on_device_unplugged (RidgeReader *self)
{
  g_debug ("reader unplugged: %s", fp_device_get_name (self->device));
  set_state (self, RIDGE_READER_STATE_REMOVED);
}

static RidgeReader *
ridge_reader_new (FpDevice *device)
{
  RidgeReader *self = g_object_new (RIDGE_TYPE_READER, NULL);

  self->device = g_object_ref (device);
  g_signal_connect_object (device, "removed", G_CALLBACK (on_device_unplugged), self,
                           G_CONNECT_SWAPPED);
  if (fp_device_is_open (device))
    self->state = RIDGE_READER_STATE_IDLE;
  return self;
}

static void
set_state (RidgeReader     *self,
           RidgeReaderState state)
{
  if (self->state == state)
    return;
  /* Once unplugged, always unplugged. */
  if (self->state == RIDGE_READER_STATE_REMOVED)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

FpDevice *
ridge_reader_get_device (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  return self->device;
}

const char *
ridge_reader_get_name (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  return fp_device_get_name (self->device);
}

const char *
ridge_reader_get_driver (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  return fp_device_get_driver (self->device);
}

const char *
ridge_reader_get_device_id (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  return fp_device_get_device_id (self->device);
}

RidgeReaderFeatures
ridge_reader_get_features (RidgeReader *self)
{
  FpDeviceFeature f;
  RidgeReaderFeatures out = 0;

  g_return_val_if_fail (RIDGE_IS_READER (self), 0);
  f = fp_device_get_features (self->device);
  if (f & FP_DEVICE_FEATURE_CAPTURE)
    out |= RIDGE_READER_FEATURE_CAPTURE;
  else
    out |= RIDGE_READER_FEATURE_MATCH_ON_CHIP;
  if (f & FP_DEVICE_FEATURE_STORAGE)
    out |= RIDGE_READER_FEATURE_STORAGE;
  if (f & FP_DEVICE_FEATURE_IDENTIFY)
    out |= RIDGE_READER_FEATURE_IDENTIFY;
  if (f & FP_DEVICE_FEATURE_VERIFY)
    out |= RIDGE_READER_FEATURE_VERIFY;
  if (f & FP_DEVICE_FEATURE_STORAGE_LIST)
    out |= RIDGE_READER_FEATURE_LIST;
  if (f & FP_DEVICE_FEATURE_STORAGE_DELETE)
    out |= RIDGE_READER_FEATURE_DELETE;
  return out;
}

const char *
ridge_reader_get_scan_type (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  return fp_device_get_scan_type (self->device) == FP_SCAN_TYPE_SWIPE ? "swipe" : "press";
}

int
ridge_reader_get_enroll_stages (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), 0);
  return fp_device_get_nr_enroll_stages (self->device);
}

RidgeReaderState
ridge_reader_get_state (RidgeReader *self)
{
  g_return_val_if_fail (RIDGE_IS_READER (self), RIDGE_READER_STATE_REMOVED);
  return self->state;
}

/* Starts an operation: a task, or NULL after reporting why not (busy, closed, removed). */
static GTask *
begin_op (RidgeReader        *self,
          gpointer            source_tag,
          RidgeReaderState    need,
          RidgeReaderState    during,
          GCancellable       *cancellable,
          GAsyncReadyCallback callback,
          gpointer            user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  if (self->state == RIDGE_READER_STATE_REMOVED)
    {
      g_task_return_new_error (task, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_REMOVED, "%s",
                               "The fingerprint reader was unplugged.");
      g_object_unref (task);
      return NULL;
    }
  if (self->state != need)
    {
      GError *error = NULL;

      if (need == RIDGE_READER_STATE_IDLE && self->state == RIDGE_READER_STATE_CLOSED)
        error = humanize (g_error_new_literal (FP_DEVICE_ERROR, FP_DEVICE_ERROR_NOT_OPEN,
                                               "not open"));
      else if (need == RIDGE_READER_STATE_CLOSED && self->state == RIDGE_READER_STATE_IDLE)
        error = humanize (g_error_new_literal (FP_DEVICE_ERROR, FP_DEVICE_ERROR_ALREADY_OPEN,
                                               "already open"));
      else
        set_ridge_error (&error, RIDGE_FPRINT_ERROR_BUSY);
      g_task_return_error (task, error);
      g_object_unref (task);
      return NULL;
    }
  set_state (self, during);
  return task;
}

static gpointer
finish_op (RidgeReader  *self,
           GAsyncResult *result,
           gpointer      source_tag,
           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Every libfprint callback ends here: the reader's state, then the task. */
static void
end_op (GTask           *task,
        RidgeReaderState after,
        gpointer         value,
        GDestroyNotify   destroy,
        GError          *error)
{
  RidgeReader *self = g_task_get_source_object (task);

  if (error != NULL && g_error_matches (error, FP_DEVICE_ERROR, FP_DEVICE_ERROR_REMOVED))
    {
      set_state (self, RIDGE_READER_STATE_REMOVED);
    }
  else
    {
      set_state (self, after);
    }
  if (error != NULL)
    g_task_return_error (task, humanize (error));
  else
    g_task_return_pointer (task, value, destroy);
  g_object_unref (task);
}

/* open / close */

static void
on_open_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (fp_device_open_finish (FP_DEVICE (source), result, &error))
    end_op (task, RIDGE_READER_STATE_IDLE, GINT_TO_POINTER (TRUE), NULL, NULL);
  else
    end_op (task, RIDGE_READER_STATE_CLOSED, NULL, NULL, error);
}

void
ridge_reader_open_async (RidgeReader        *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  task = begin_op (self, ridge_reader_open_async, RIDGE_READER_STATE_CLOSED,
                   RIDGE_READER_STATE_OPENING, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_open (self->device, cancellable, on_open_done, task);
}

gboolean
ridge_reader_open_finish (RidgeReader  *self,
                          GAsyncResult *result,
                          GError      **error)
{
  return finish_op (self, result, ridge_reader_open_async, error) != NULL;
}

static void
on_close_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  /* Even a failed close leaves libfprint's device closed. */
  if (fp_device_close_finish (FP_DEVICE (source), result, &error))
    end_op (task, RIDGE_READER_STATE_CLOSED, GINT_TO_POINTER (TRUE), NULL, NULL);
  else
    end_op (task, fp_device_is_open (FP_DEVICE (source)) ? RIDGE_READER_STATE_IDLE
            : RIDGE_READER_STATE_CLOSED, NULL, NULL, error);
}

void
ridge_reader_close_async (RidgeReader        *self,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  /* An unplugged reader that is still open must be closed: libfprint drops it from its
   * list (and the manager from its model) only then. Its state stays REMOVED. */
  if (self->state == RIDGE_READER_STATE_REMOVED && fp_device_is_open (self->device))
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, ridge_reader_close_async);
      if (self->closing_removed)
        {
          /* libfprint must not be asked twice (it stays "open" until the close returns) */
          GError *error = NULL;

          set_ridge_error (&error, RIDGE_FPRINT_ERROR_BUSY);
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      self->closing_removed = TRUE;
      fp_device_close (self->device, cancellable, on_close_done, task);
      return;
    }
  task = begin_op (self, ridge_reader_close_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_CLOSING, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_close (self->device, cancellable, on_close_done, task);
}

gboolean
ridge_reader_close_finish (RidgeReader  *self,
                           GAsyncResult *result,
                           GError      **error)
{
  return finish_op (self, result, ridge_reader_close_async, error) != NULL;
}

/* capture */

static void
on_capture_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  g_autoptr (FpImage) image = fp_device_capture_finish (FP_DEVICE (source), result, &error);
  g_autoptr (RidgeReaderCapture) capture = NULL;
  const guchar *data;
  gsize len = 0;
  guint w, h;
  double ppmm;
  int dpi = 500;

  if (image == NULL)
    {
      end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
      return;
    }
  w = fp_image_get_width (image);
  h = fp_image_get_height (image);
  data = fp_image_get_data (image, &len);
  if (w < RIDGE_IMAGE_MIN_SIDE || h < RIDGE_IMAGE_MIN_SIDE || w > RIDGE_IMAGE_MAX_SIDE
      || h > RIDGE_IMAGE_MAX_SIDE || data == NULL || len < (gsize)w * h)
    {
      g_debug ("libfprint gave a %u×%u image with %" G_GSIZE_FORMAT " bytes", w, h, len);
      set_ridge_error (&error, RIDGE_FPRINT_ERROR_BAD_IMAGE);
      end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
      return;
    }
  ppmm = fp_image_get_ppmm (image);
  if (ppmm > 0.0 && isfinite (ppmm))
    dpi = (int)CLAMP (lround (ppmm * 25.4), 100, 2000);
  capture = g_new0 (RidgeReaderCapture, 1);
  capture->ppmm = ppmm;
  if (ridge_image_init (&capture->image, (int)w, (int)h, dpi) != RIDGE_ENGINE_OK)
    {
      set_ridge_error (&error, RIDGE_FPRINT_ERROR_BAD_IMAGE);
      end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
      return;
    }
  memcpy (capture->image.pixels, data, (gsize)w * h);
  end_op (task, RIDGE_READER_STATE_IDLE, g_steal_pointer (&capture),
          (GDestroyNotify)ridge_reader_capture_free, NULL);
}

void
ridge_reader_capture_async (RidgeReader        *self,
                            GCancellable       *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  if (!fp_device_has_feature (self->device, FP_DEVICE_FEATURE_CAPTURE))
    {
      GError *error = NULL;

      set_ridge_error (&error, RIDGE_FPRINT_ERROR_NOT_SUPPORTED);
      g_task_report_error (self, callback, user_data, ridge_reader_capture_async, error);
      return;
    }
  task = begin_op (self, ridge_reader_capture_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_capture (self->device, TRUE, cancellable, on_capture_done, task);
}

RidgeReaderCapture *
ridge_reader_capture_finish (RidgeReader  *self,
                             GAsyncResult *result,
                             GError      **error)
{
  return finish_op (self, result, ridge_reader_capture_async, error);
}

/* enroll */

static void
on_enroll_progress (FpDevice *device,
                    gint      completed_stages,
                    FpPrint  *print,
                    gpointer  user_data,
                    GError   *error)
{
  RidgeReader *self = user_data;

  (void)print;
  g_signal_emit (self, signals[SIGNAL_ENROLL_PROGRESS], 0, completed_stages,
                 fp_device_get_nr_enroll_stages (device),
                 error != NULL ? ridge_fprint_error_sentence (error) : NULL);
}

static void
on_enroll_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  FpPrint *print = fp_device_enroll_finish (FP_DEVICE (source), result, &error);

  end_op (task, RIDGE_READER_STATE_IDLE, print, g_object_unref, print == NULL ? error : NULL);
}

void
ridge_reader_enroll_async (RidgeReader        *self,
                           FpFinger            finger,
                           const char         *username,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  GTask *task;
  FpPrint *template_print;
  g_autoptr (GDate) today = NULL;

  g_return_if_fail (RIDGE_IS_READER (self));
  task = begin_op (self, ridge_reader_enroll_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task == NULL)
    return;
  template_print = fp_print_new (self->device);
  fp_print_set_finger (template_print, finger);
  if (username != NULL)
    fp_print_set_username (template_print, username);
  today = g_date_new ();
  g_date_set_time_t (today, time (NULL));
  fp_print_set_enroll_date (template_print, today);
  /* fp_device_enroll sinks the floating template. */
  fp_device_enroll (self->device, template_print, cancellable, on_enroll_progress,
                    g_object_ref (self), g_object_unref, on_enroll_done, task);
}

FpPrint *
ridge_reader_enroll_finish (RidgeReader  *self,
                            GAsyncResult *result,
                            GError      **error)
{
  return finish_op (self, result, ridge_reader_enroll_async, error);
}

/* verify / identify */

static void
on_match_report (FpDevice *device,
                 FpPrint  *match,
                 FpPrint  *print,
                 gpointer  user_data,
                 GError   *error)
{
  (void)device;
  (void)match;
  (void)print;
  if (error != NULL)
    g_signal_emit (RIDGE_READER (user_data), signals[SIGNAL_RETRY], 0,
                   ridge_fprint_error_sentence (error));
}

typedef struct {
  gboolean matched;
  FpPrint *match;
} MatchResult;

static void
match_result_free (gpointer data)
{
  MatchResult *r = data;

  g_clear_object (&r->match);
  g_free (r);
}

static void
on_verify_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  gboolean match = FALSE;
  MatchResult *r;

  if (!fp_device_verify_finish (FP_DEVICE (source), result, &match, NULL, &error))
    {
      end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
      return;
    }
  r = g_new0 (MatchResult, 1);
  r->matched = match;
  end_op (task, RIDGE_READER_STATE_IDLE, r, match_result_free, NULL);
}

void
ridge_reader_verify_async (RidgeReader        *self,
                           FpPrint            *print,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (FpPrint) keep = NULL;
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  g_return_if_fail (FP_IS_PRINT (print));
  /* Sink a floating print (as libfprint does) so that it is not leaked on refusal. */
  keep = g_object_ref_sink (print);
  task = begin_op (self, ridge_reader_verify_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_verify (self->device, print, cancellable, on_match_report, g_object_ref (self),
                      g_object_unref, on_verify_done, task);
}

gboolean
ridge_reader_verify_finish (RidgeReader  *self,
                            GAsyncResult *result,
                            gboolean     *match,
                            GError      **error)
{
  MatchResult *r = finish_op (self, result, ridge_reader_verify_async, error);

  if (r == NULL)
    return FALSE;
  if (match != NULL)
    *match = r->matched;
  match_result_free (r);
  return TRUE;
}

static void
on_identify_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  FpPrint *match = NULL;
  MatchResult *r;

  if (!fp_device_identify_finish (FP_DEVICE (source), result, &match, NULL, &error))
    {
      end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
      return;
    }
  r = g_new0 (MatchResult, 1);
  r->matched = match != NULL;
  r->match = match;
  end_op (task, RIDGE_READER_STATE_IDLE, r, match_result_free, NULL);
}

void
ridge_reader_identify_async (RidgeReader        *self,
                             GPtrArray          *prints,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  g_return_if_fail (prints != NULL);
  task = begin_op (self, ridge_reader_identify_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_identify (self->device, prints, cancellable, on_match_report, g_object_ref (self),
                        g_object_unref, on_identify_done, task);
}

gboolean
ridge_reader_identify_finish (RidgeReader  *self,
                              GAsyncResult *result,
                              FpPrint     **match,
                              GError      **error)
{
  MatchResult *r = finish_op (self, result, ridge_reader_identify_async, error);

  if (r == NULL)
    return FALSE;
  if (match != NULL)
    *match = g_steal_pointer (&r->match);
  match_result_free (r);
  return TRUE;
}

/* storage */

static void
on_list_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  GPtrArray *prints = fp_device_list_prints_finish (FP_DEVICE (source), result, &error);

  if (prints == NULL && error == NULL)
    prints = g_ptr_array_new_with_free_func (g_object_unref);
  end_op (task, RIDGE_READER_STATE_IDLE, prints, (GDestroyNotify)g_ptr_array_unref,
          prints == NULL ? error : NULL);
}

void
ridge_reader_list_prints_async (RidgeReader        *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  task = begin_op (self, ridge_reader_list_prints_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_list_prints (self->device, cancellable, on_list_done, task);
}

GPtrArray *
ridge_reader_list_prints_finish (RidgeReader  *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  return finish_op (self, result, ridge_reader_list_prints_async, error);
}

static void
on_delete_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (fp_device_delete_print_finish (FP_DEVICE (source), result, &error))
    end_op (task, RIDGE_READER_STATE_IDLE, GINT_TO_POINTER (TRUE), NULL, NULL);
  else
    end_op (task, RIDGE_READER_STATE_IDLE, NULL, NULL, error);
}

void
ridge_reader_delete_print_async (RidgeReader        *self,
                                 FpPrint            *print,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data)
{
  g_autoptr (FpPrint) keep = NULL;
  GTask *task;

  g_return_if_fail (RIDGE_IS_READER (self));
  g_return_if_fail (FP_IS_PRINT (print));
  /* Sink a floating print (as libfprint does) so that it is not leaked on refusal. */
  keep = g_object_ref_sink (print);
  task = begin_op (self, ridge_reader_delete_print_async, RIDGE_READER_STATE_IDLE,
                   RIDGE_READER_STATE_BUSY, cancellable, callback, user_data);
  if (task != NULL)
    fp_device_delete_print (self->device, print, cancellable, on_delete_done, task);
}

gboolean
ridge_reader_delete_print_finish (RidgeReader  *self,
                                  GAsyncResult *result,
                                  GError      **error)
{
  return finish_op (self, result, ridge_reader_delete_print_async, error) != NULL;
}

/* ---- Manager -------------------------------------------------------------------------- */

struct _RidgeReaderManager {
  GObject     parent_instance;
  FpContext  *context;
  GListStore *readers;
};

G_DEFINE_FINAL_TYPE (RidgeReaderManager, ridge_reader_manager, G_TYPE_OBJECT);

enum {
  SIGNAL_READER_ADDED,
  SIGNAL_READER_REMOVED,
  N_MANAGER_SIGNALS
};

static guint manager_signals[N_MANAGER_SIGNALS];

static gboolean
find_device (RidgeReaderManager *self,
             FpDevice           *device,
             guint              *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->readers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeReader) reader = g_list_model_get_item (G_LIST_MODEL (self->readers), i);
      if (reader->device == device)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

static void
on_device_added (FpContext          *context,
                 FpDevice           *device,
                 RidgeReaderManager *self)
{
  g_autoptr (RidgeReader) reader = NULL;
  guint pos;

  (void)context;
  if (find_device (self, device, &pos))
    return;
  reader = ridge_reader_new (device);
  g_list_store_append (self->readers, reader);
  g_debug ("reader added: %s (%s)", fp_device_get_name (device), fp_device_get_driver (device));
  g_signal_emit (self, manager_signals[SIGNAL_READER_ADDED], 0, reader);
}

static void
on_device_removed (FpContext          *context,
                   FpDevice           *device,
                   RidgeReaderManager *self)
{
  g_autoptr (RidgeReader) reader = NULL;
  guint pos;

  (void)context;
  if (!find_device (self, device, &pos))
    return;
  reader = g_list_model_get_item (G_LIST_MODEL (self->readers), pos);
  set_state (reader, RIDGE_READER_STATE_REMOVED);
  g_list_store_remove (self->readers, pos);
  g_debug ("reader removed: %s", fp_device_get_name (device));
  g_signal_emit (self, manager_signals[SIGNAL_READER_REMOVED], 0, reader);
}

static void
ridge_reader_manager_dispose (GObject *object)
{
  RidgeReaderManager *self = RIDGE_READER_MANAGER (object);

  if (self->context != NULL)
    g_signal_handlers_disconnect_by_data (self->context, self);
  g_clear_object (&self->context);
  g_clear_object (&self->readers);
  G_OBJECT_CLASS (ridge_reader_manager_parent_class)->dispose (object);
}

static void
ridge_reader_manager_class_init (RidgeReaderManagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_reader_manager_dispose;
  manager_signals[SIGNAL_READER_ADDED] =
    g_signal_new ("reader-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, RIDGE_TYPE_READER);
  manager_signals[SIGNAL_READER_REMOVED] =
    g_signal_new ("reader-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, RIDGE_TYPE_READER);
}

static void
ridge_reader_manager_init (RidgeReaderManager *self)
{
  self->readers = g_list_store_new (RIDGE_TYPE_READER);
}

RidgeReaderManager *
ridge_reader_manager_new (void)
{
  RidgeReaderManager *self = g_object_new (RIDGE_TYPE_READER_MANAGER, NULL);
  GPtrArray *devices;

  self->context = fp_context_new ();
  g_signal_connect (self->context, "device-added", G_CALLBACK (on_device_added), self);
  g_signal_connect (self->context, "device-removed", G_CALLBACK (on_device_removed), self);
  /* Enumerates (once) and may emit device-added; find_device() keeps one reader each. */
  devices = fp_context_get_devices (self->context);
  for (guint i = 0; devices != NULL && i < devices->len; i++)
    on_device_added (self->context, g_ptr_array_index (devices, i), self);
  return self;
}

GListModel *
ridge_reader_manager_get_readers (RidgeReaderManager *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_MANAGER (self), NULL);
  return G_LIST_MODEL (self->readers);
}

guint
ridge_reader_manager_get_n_readers (RidgeReaderManager *self)
{
  g_return_val_if_fail (RIDGE_IS_READER_MANAGER (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->readers));
}

RidgeReader *
ridge_reader_manager_find (RidgeReaderManager *self,
                           const char         *device_id)
{
  guint n;

  g_return_val_if_fail (RIDGE_IS_READER_MANAGER (self), NULL);
  g_return_val_if_fail (device_id != NULL, NULL);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->readers));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeReader) reader = g_list_model_get_item (G_LIST_MODEL (self->readers), i);
      if (g_strcmp0 (ridge_reader_get_device_id (reader), device_id) == 0)
        return reader;   /* the store keeps its reference */
    }
  return NULL;
}

/* ---- Print files ---------------------------------------------------------------------- */

gboolean
ridge_fprint_print_save (FpPrint    *print,
                         const char *path,
                         GError    **error)
{
  g_autofree guchar *data = NULL;
  gsize len = 0;
  GError *local = NULL;

  g_return_val_if_fail (FP_IS_PRINT (print), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  if (!fp_print_serialize (print, &data, &len, &local))
    {
      g_propagate_error (error, humanize (local));
      return FALSE;
    }
  return g_file_set_contents_full (path, (const char *)data, (gssize)len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

#define PRINT_VARIANT_TYPE G_VARIANT_TYPE ("(issbymsmsia{sv}v)")
#define FPI_PRINT_RAW      1
#define FPI_PRINT_NBIS     2
#define NBIS_MAX_MINUTIAE  200   /* libfprint's struct xyt_struct holds this many */

/* Checks serialized print data ("FP3" + GVariant) the way libfprint will read it, so that
 * bad input gets an error here instead of a warning or an assertion inside libfprint.
 * Returns the value in normal form and native byte order. */
static GVariant *
parse_print (const guchar *data,
             gsize         len,
             GError      **error)
{
  g_autoptr (GVariant) raw = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GVariant) boxed = NULL;
  g_autoptr (GVariant) inner = NULL;
  gint32 type, julian;
  guint8 finger;
  gpointer copy;

  if (data == NULL || len <= 3 || len > RIDGE_FPRINT_MAX_FILE_BYTES
      || memcmp (data, "FP3", 3) != 0)
    goto bad;
  /* An aligned copy, freed with the variant. */
  copy = g_memdup2 (data + 3, len - 3);
  raw = g_variant_ref_sink (g_variant_new_from_data (PRINT_VARIANT_TYPE, copy, len - 3, FALSE,
                                                     g_free, copy));
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    value = g_variant_byteswap (raw);
  else
    value = g_variant_get_normal_form (raw);
  g_variant_get (value, "(i&s&sbymsmsi@a{sv}@v)", &type, NULL, NULL, NULL, &finger, NULL,
                 NULL, &julian, NULL, &boxed);
  if (finger > FP_FINGER_LAST)
    goto bad;
  if (julian != G_MININT32 && !g_date_valid_julian ((guint32)julian))
    goto bad;
  inner = g_variant_get_variant (boxed);
  if (type == FPI_PRINT_NBIS)
    {
      g_autoptr (GVariant) tables = NULL;
      gsize n;

      if (!g_variant_is_of_type (inner, G_VARIANT_TYPE ("(a(aiaiai))")))
        goto bad;
      tables = g_variant_get_child_value (inner, 0);
      n = g_variant_n_children (tables);
      for (gsize t = 0; t < n; t++)
        {
          g_autoptr (GVariant) table = g_variant_get_child_value (tables, t);
          gsize nx, ny, nt;
          g_autoptr (GVariant) xv = g_variant_get_child_value (table, 0);
          g_autoptr (GVariant) yv = g_variant_get_child_value (table, 1);
          g_autoptr (GVariant) tv = g_variant_get_child_value (table, 2);

          nx = g_variant_n_children (xv);
          ny = g_variant_n_children (yv);
          nt = g_variant_n_children (tv);
          if (nx != ny || nx != nt || nx > NBIS_MAX_MINUTIAE)
            goto bad;
        }
    }
  else if (type == FPI_PRINT_RAW)
    {
      if (!g_variant_is_of_type (inner, G_VARIANT_TYPE_VARIANT))
        goto bad;
    }
  else
    {
      goto bad;
    }
  return g_steal_pointer (&value);

bad:
  set_ridge_error (error, RIDGE_FPRINT_ERROR_FORMAT);
  return NULL;
}

static FpPrint *
deserialize (const guchar *data,
             gsize         len,
             GError      **error)
{
  GError *local = NULL;
  FpPrint *print;

  g_autoptr (GVariant) checked = parse_print (data, len, error);

  /* fp_print_deserialize asserts or warns on some bad input: check it first. */
  if (checked == NULL)
    return NULL;
  print = fp_print_deserialize (data, len, &local);
  if (print == NULL)
    {
      g_debug ("fp_print_deserialize: %s", local != NULL ? local->message : "?");
      g_clear_error (&local);
      set_ridge_error (error, RIDGE_FPRINT_ERROR_FORMAT);
      return NULL;
    }
  return print;
}

FpPrint *
ridge_fprint_print_load (const char *path,
                         GError    **error)
{
  g_autoptr (GMappedFile) file = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return NULL;
  if (g_mapped_file_get_length (file) > RIDGE_FPRINT_MAX_FILE_BYTES)
    {
      g_set_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FORMAT,
                   "The file is too large to be a fingerprint (more than %d MiB).",
                   RIDGE_FPRINT_MAX_FILE_BYTES / (1024 * 1024));
      return NULL;
    }
  return deserialize ((const guchar *)g_mapped_file_get_contents (file),
                      g_mapped_file_get_length (file), error);
}

/* ---- NBIS tables → Ridge templates ----------------------------------------------------- */

int
ridge_fprint_print_to_templates (FpPrint       *print,
                                 int            width,
                                 int            height,
                                 int            dpi,
                                 RidgeTemplate *out,
                                 int            cap,
                                 GError       **error)
{
  g_autofree guchar *data = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (GVariant) type_v = NULL;
  g_autoptr (GVariant) boxed = NULL;
  g_autoptr (GVariant) inner = NULL;
  g_autoptr (GVariant) tables = NULL;
  gsize len = 0;
  GError *local = NULL;
  gsize n_tables;
  int n_out = 0;

  g_return_val_if_fail (FP_IS_PRINT (print), -1);
  g_return_val_if_fail (out != NULL || cap == 0, -1);
  if (width < RIDGE_IMAGE_MIN_SIDE || height < RIDGE_IMAGE_MIN_SIDE
      || width > RIDGE_IMAGE_MAX_SIDE || height > RIDGE_IMAGE_MAX_SIDE || dpi <= 0
      || dpi > 65535)
    {
      g_set_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FAILED,
                   "The image size %d×%d at %d dpi cannot hold a fingerprint template.",
                   width, height, dpi);
      return -1;
    }
  if (!fp_print_serialize (print, &data, &len, &local))
    {
      g_propagate_error (error, humanize (local));
      return -1;
    }
  value = parse_print (data, len, error);
  if (value == NULL)
    return -1;
  type_v = g_variant_get_child_value (value, 0);
  if (g_variant_get_int32 (type_v) != FPI_PRINT_NBIS)
    {
      g_set_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_NOT_SUPPORTED, "%s",
                   "This print was made by a reader that matches on its own chip: it "
                   "holds no minutiae Ridge can read.");
      return -1;
    }
  boxed = g_variant_get_child_value (value, 9);
  inner = g_variant_get_variant (boxed);
  tables = g_variant_get_child_value (inner, 0);
  n_tables = g_variant_n_children (tables);
  for (gsize t = 0; t < n_tables && n_out < cap; t++)
    {
      g_autoptr (GVariant) table = g_variant_get_child_value (tables, t);
      g_autoptr (GVariant) xv = g_variant_get_child_value (table, 0);
      g_autoptr (GVariant) yv = g_variant_get_child_value (table, 1);
      g_autoptr (GVariant) tv = g_variant_get_child_value (table, 2);
      gsize nx, ny, nt;
      const gint32 *xs = g_variant_get_fixed_array (xv, &nx, sizeof (gint32));
      const gint32 *ys = g_variant_get_fixed_array (yv, &ny, sizeof (gint32));
      const gint32 *ts = g_variant_get_fixed_array (tv, &nt, sizeof (gint32));
      RidgeTemplate *tpl = &out[n_out];

      if (nx != ny || nx != nt || nx > RIDGE_MAX_MINUTIAE)
        {
          set_ridge_error (error, RIDGE_FPRINT_ERROR_FORMAT);
          return -1;
        }
      memset (tpl, 0, sizeof *tpl);
      tpl->width = (uint16_t)width;
      tpl->height = (uint16_t)height;
      tpl->dpi = (uint16_t)dpi;
      tpl->quality = 0;
      for (gsize i = 0; i < nx; i++)
        {
          int x = xs[i], y = height - ys[i], theta = ts[i];
          RidgeMinutia *m;

          if (x < 0 || x >= width || y < 0 || y >= height || theta < -360 || theta > 360)
            {
              g_set_error (error, RIDGE_FPRINT_ERROR, RIDGE_FPRINT_ERROR_FORMAT,
                           "The print's minutiae do not fit a %d×%d image.", width, height);
              return -1;
            }
          m = &tpl->minutiae[tpl->n_minutiae++];
          m->x = (float)x;
          m->y = (float)y;
          /* libfprint keeps NIST θ in (-180, 180]; it points the other way from ISO's
           * (both count counter-clockwise as seen on screen). */
          m->angle = (float)(fmod (theta + 540.0, 360.0) * G_PI / 180.0);
          m->type = RIDGE_MINUTIA_OTHER;
          m->quality = 0;
        }
      n_out++;
    }
  return n_out;
}

/* ---- Prints kept by Ridge ------------------------------------------------------------- */

char *
ridge_fprint_print_id (FpPrint *print,
                       GError **error)
{
  g_autofree guchar *data = NULL;
  g_autofree char *sum = NULL;
  gsize len = 0;
  GError *local = NULL;

  g_return_val_if_fail (FP_IS_PRINT (print), NULL);
  if (!fp_print_serialize (print, &data, &len, &local))
    {
      g_propagate_error (error, humanize (local));
      return NULL;
    }
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
  return g_strndup (sum, 12);
}

gboolean
ridge_reader_keeps_prints (RidgeReader *self)
{
  RidgeReaderFeatures f;

  g_return_val_if_fail (RIDGE_IS_READER (self), FALSE);
  f = ridge_reader_get_features (self);
  return (f & RIDGE_READER_FEATURE_STORAGE) && (f & RIDGE_READER_FEATURE_LIST);
}

static char *
safe_component (const char *text)
{
  char *s = g_strdup (text != NULL && *text != '\0' ? text : "unknown");

  for (char *p = s; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != ':')
      *p = '_';
  if (s[0] == '.')
    s[0] = '_';
  return s;
}

char *
ridge_reader_dup_local_dir (RidgeReader *self)
{
  const char *base = g_getenv ("RIDGE_PRINTS_DIR");
  g_autofree char *fallback = NULL;
  g_autofree char *driver = NULL;
  g_autofree char *device = NULL;

  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  if (base == NULL || *base == '\0')
    base = fallback = g_build_filename (g_get_user_data_dir (), "ridge", "prints", NULL);
  driver = safe_component (ridge_reader_get_driver (self));
  device = safe_component (ridge_reader_get_device_id (self));
  return g_build_filename (base, driver, device, NULL);
}

static gboolean
valid_print_id (const char *id)
{
  if (id == NULL || strlen (id) != 12)
    return FALSE;
  for (const char *p = id; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

gboolean
ridge_reader_store_local_print (RidgeReader *self,
                                FpPrint     *print,
                                GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *id = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (RIDGE_IS_READER (self), FALSE);
  g_return_val_if_fail (FP_IS_PRINT (print), FALSE);
  id = ridge_fprint_print_id (print, error);
  if (id == NULL)
    return FALSE;
  dir = ridge_reader_dup_local_dir (self);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "Cannot create the folder %s for the reader's prints: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  name = g_strconcat (id, ".fp3", NULL);
  path = g_build_filename (dir, name, NULL);
  return ridge_fprint_print_save (print, path, error);
}

static int
compare_enroll_dates (gconstpointer a,
                      gconstpointer b)
{
  FpPrint *pa = *(FpPrint **)a;
  FpPrint *pb = *(FpPrint **)b;
  const GDate *da = fp_print_get_enroll_date (pa);
  const GDate *db = fp_print_get_enroll_date (pb);

  if (da != NULL && db != NULL && g_date_valid (da) && g_date_valid (db))
    return g_date_compare (da, db);
  return (da != NULL && g_date_valid (da)) - (db != NULL && g_date_valid (db));
}

/* Touches no reader: also run on a worker thread by the async variant. */
static GPtrArray *
load_prints_from_dir (const char   *dir_path,
                      GCancellable *cancellable,
                      GError      **error)
{
  g_autoptr (GDir) dir = NULL;
  g_autoptr (GPtrArray) prints = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GError *local = NULL;
  const char *name;

  dir = g_dir_open (dir_path, 0, &local);
  if (dir == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_error_free (local);
          return g_steal_pointer (&prints);
        }
      g_propagate_error (error, local);
      return NULL;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".fp3"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc)g_strcmp0);   /* a stable order for equal dates */
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir_path, g_ptr_array_index (names, i), NULL);
      g_autoptr (GError) bad = NULL;
      FpPrint *print;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      print = ridge_fprint_print_load (path, &bad);
      if (print == NULL)
        {
          g_warning ("Skipping the print file %s: %s", path, bad->message);
          continue;
        }
      g_ptr_array_add (prints, print);
    }
  g_ptr_array_sort (prints, compare_enroll_dates);
  return g_steal_pointer (&prints);
}

GPtrArray *
ridge_reader_load_local_prints (RidgeReader *self,
                                GError     **error)
{
  g_autofree char *dir_path = NULL;

  g_return_val_if_fail (RIDGE_IS_READER (self), NULL);
  dir_path = ridge_reader_dup_local_dir (self);
  return load_prints_from_dir (dir_path, NULL, error);
}

/* task data: the folder's path */
static void
load_local_prints_thread (GTask        *task,
                          gpointer      source,
                          gpointer      task_data,
                          GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *prints = load_prints_from_dir (task_data, cancellable, &error);

  if (prints == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, prints, (GDestroyNotify)g_ptr_array_unref);
}

void
ridge_reader_load_local_prints_async (RidgeReader        *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (RIDGE_IS_READER (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_reader_load_local_prints_async);
  /* the folder is named from the reader here, on the caller's thread */
  g_task_set_task_data (task, ridge_reader_dup_local_dir (self), g_free);
  g_task_run_in_thread (task, load_local_prints_thread);
}

GPtrArray *
ridge_reader_load_local_prints_finish (RidgeReader  *self,
                                       GAsyncResult *result,
                                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result))
                        == ridge_reader_load_local_prints_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

gboolean
ridge_reader_delete_local_print (RidgeReader *self,
                                 const char  *id,
                                 GError     **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (RIDGE_IS_READER (self), FALSE);
  if (!valid_print_id (id))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no print “%s”.",
                   id != NULL ? id : "");
      return FALSE;
    }
  dir = ridge_reader_dup_local_dir (self);
  name = g_strconcat (id, ".fp3", NULL);
  path = g_build_filename (dir, name, NULL);
  if (g_unlink (path) != 0)
    {
      int saved = errno;

      if (saved == ENOENT)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "There is no print “%s”.", id);
      else
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                     "Cannot delete the print file %s: %s", path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
ridge_reader_adopt_local_prints (RidgeReader *self,
                                 GPtrArray   *prints)
{
  g_autoptr (GPtrArray) local = NULL;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (RIDGE_IS_READER (self));
  g_return_if_fail (prints != NULL);
  local = ridge_reader_load_local_prints (self, &error);
  if (local == NULL)
    {
      g_debug ("No local copies of the reader's prints: %s", error->message);
      return;
    }
  ridge_fprint_adopt_local_copies (prints, local);
}

void
ridge_fprint_adopt_local_copies (GPtrArray *prints,
                                 GPtrArray *local)
{
  g_return_if_fail (prints != NULL);
  g_return_if_fail (local != NULL);
  for (guint i = 0; i < prints->len; i++)
    for (guint k = 0; k < local->len; k++)
      if (fp_print_equal (g_ptr_array_index (prints, i), g_ptr_array_index (local, k)))
        {
          g_object_unref (g_ptr_array_index (prints, i));
          g_ptr_array_index (prints, i) = g_object_ref (g_ptr_array_index (local, k));
          break;
        }
}
