/* ridge-stream.c — live image stream with credit-based flow control
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-stream.h"

#include <stdlib.h>
#include <string.h>

#include "ridge-error.h"
#include "ridge-health.h"

#define LATENCY_RING 4096u
#define ARRIVAL_RING 1024u /* frames/s above this are reported as this */

struct _RidgeStream {
  GObject       parent_instance;
  RidgeSession *session;
  gulong        frame_id;
  gboolean      auto_credit;
  gboolean      running;

  guint64  frames;
  guint64  dropped_gaps;     /* lost in transit, not dropped by the terminal */
  guint32  terminal_dropped;
  guint64  bytes;
  guint64  raw_bytes;
  gboolean have_frame_no;
  guint32  last_frame_no;
  gint64   start_us;
  gint64   arrivals[ARRIVAL_RING];
  guint    arrival_next;

  gint64 *latency;
  guint   latency_n;          /* samples stored (≤ LATENCY_RING) */
  guint   latency_next;
};

G_DEFINE_FINAL_TYPE (RidgeStream, ridge_stream, G_TYPE_OBJECT);

enum {
  SIGNAL_FRAME,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
on_frame (RidgeSession *session,
          RidgeFrame   *frame,
          RidgeStream  *self)
{
  gint64 now = frame->received_us;

  if (!self->running)
    return;

  self->frames++;
  self->bytes += frame->encoded_size;
  self->raw_bytes += (guint64)frame->width * frame->height;
  /* A gap in frame numbers that the terminal's own drop count does not explain is a frame
   * lost on the way (e.g. a corrupted one the decoder skipped). */
  if (self->have_frame_no && frame->frame_no > self->last_frame_no + 1)
    {
      guint64 gap = frame->frame_no - self->last_frame_no - 1;
      guint64 reported = frame->dropped_total > self->terminal_dropped
                         ? frame->dropped_total - self->terminal_dropped : 0;

      if (gap > reported)
        self->dropped_gaps += gap - reported;
    }
  self->have_frame_no = TRUE;
  self->last_frame_no = frame->frame_no;
  self->terminal_dropped = MAX (self->terminal_dropped, frame->dropped_total);

  if (frame->timestamp_us > 0 && now >= frame->timestamp_us)
    {
      self->latency[self->latency_next] = now - frame->timestamp_us;
      self->latency_next = (self->latency_next + 1) % LATENCY_RING;
      self->latency_n = MIN (self->latency_n + 1, LATENCY_RING);
    }

  self->arrivals[self->arrival_next] = now;
  self->arrival_next = (self->arrival_next + 1) % ARRIVAL_RING;

  g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);

  if (self->auto_credit && self->running)
    ridge_stream_consume (self, 1, NULL);
}

static void
ridge_stream_dispose (GObject *object)
{
  RidgeStream *self = RIDGE_STREAM (object);

  if (self->session != NULL)
    g_clear_signal_handler (&self->frame_id, self->session);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (ridge_stream_parent_class)->dispose (object);
}

static void
ridge_stream_finalize (GObject *object)
{
  g_free (RIDGE_STREAM (object)->latency);
  G_OBJECT_CLASS (ridge_stream_parent_class)->finalize (object);
}

static void
ridge_stream_class_init (RidgeStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_stream_dispose;
  object_class->finalize = ridge_stream_finalize;

  /** RidgeStream::frame: a decoded frame of this stream */
  signals[SIGNAL_FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, RIDGE_TYPE_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ridge_stream_init (RidgeStream *self)
{
  self->auto_credit = TRUE;
  self->latency = g_new0 (gint64, LATENCY_RING);
}

RidgeStream *
ridge_stream_new (RidgeSession *session)
{
  RidgeStream *self;

  g_return_val_if_fail (RIDGE_IS_SESSION (session), NULL);

  self = g_object_new (RIDGE_TYPE_STREAM, NULL);
  self->session = g_object_ref (session);
  self->frame_id = g_signal_connect (session, "frame", G_CALLBACK (on_frame), self);
  return self;
}

void
ridge_stream_set_auto_credit (RidgeStream *self,
                              gboolean     auto_credit)
{
  g_return_if_fail (RIDGE_IS_STREAM (self));
  self->auto_credit = !!auto_credit;
}

gboolean
ridge_stream_consume (RidgeStream *self,
                      guint        n,
                      GError     **error)
{
  RidgeWireMsg m = { 0 };

  g_return_val_if_fail (RIDGE_IS_STREAM (self), FALSE);

  if (!self->running || n == 0)
    return TRUE;
  m.stream_credit.credits = (uint16_t)MIN (n, G_MAXUINT16);
  return ridge_session_send_event (self->session, RIDGE_MSG_STREAM_CREDIT, &m, error);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  RidgeStream *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);

  if (msg == NULL)
    {
      self->running = FALSE;
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
ridge_stream_start_async (RidgeStream        *self,
                          guint16             credits,
                          guint16             max_fps,
                          guint8              flags,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  GTask *task;
  RidgeWireMsg m = { 0 };

  g_return_if_fail (RIDGE_IS_STREAM (self));
  g_return_if_fail (credits > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_stream_start_async);

  self->frames = 0;
  self->dropped_gaps = 0;
  self->terminal_dropped = 0;
  self->bytes = 0;
  self->raw_bytes = 0;
  self->have_frame_no = FALSE;
  self->start_us = g_get_monotonic_time ();
  memset (self->arrivals, 0, sizeof self->arrivals);
  self->arrival_next = 0;
  self->latency_n = 0;
  self->latency_next = 0;
  /* frames may arrive before the STREAM_START response: count them */
  self->running = TRUE;

  m.stream_start.credits = credits;
  m.stream_start.max_fps = max_fps;
  m.stream_start.flags = flags;
  ridge_session_request_async (self->session, RIDGE_MSG_STREAM_START, &m, 0, cancellable,
                               start_cb, task);
}

gboolean
ridge_stream_start_finish (RidgeStream  *self,
                           GAsyncResult *result,
                           GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct {
  guint32 sent;
  guint32 dropped;
} StopResult;

static void
stop_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                               &error);
  RidgeWireMsg m;
  StopResult *r;

  if (msg == NULL || !ridge_message_decode (msg, &m, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r = g_new (StopResult, 1);
  r->sent = m.stream_stats.frames_sent;
  r->dropped = m.stream_stats.frames_dropped;
  g_task_return_pointer (task, r, g_free);
}

void
ridge_stream_stop_async (RidgeStream        *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (RIDGE_IS_STREAM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_stream_stop_async);
  self->running = FALSE;
  ridge_session_request_async (self->session, RIDGE_MSG_STREAM_STOP, NULL, 0, cancellable,
                               stop_cb, task);
}

gboolean
ridge_stream_stop_finish (RidgeStream  *self,
                          GAsyncResult *result,
                          guint32      *frames_sent,
                          guint32      *frames_dropped,
                          GError      **error)
{
  g_autofree StopResult *r = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return FALSE;
  if (frames_sent != NULL)
    *frames_sent = r->sent;
  if (frames_dropped != NULL)
    *frames_dropped = r->dropped;
  return TRUE;
}

gboolean
ridge_stream_is_running (RidgeStream *self)
{
  g_return_val_if_fail (RIDGE_IS_STREAM (self), FALSE);
  return self->running;
}

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

void
ridge_stream_get_stats (RidgeStream      *self,
                        RidgeStreamStats *out)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (RIDGE_IS_STREAM (self));
  g_return_if_fail (out != NULL);

  out->frames = self->frames;
  out->dropped = self->terminal_dropped + self->dropped_gaps;
  out->bytes = self->bytes;
  out->raw_bytes = self->raw_bytes;
  /* frames that arrived during the last second */
  out->fps = 0;
  for (guint i = 0; i < ARRIVAL_RING; i++)
    if (self->arrivals[i] > 0 && now - self->arrivals[i] < G_USEC_PER_SEC)
      out->fps += 1;
  out->fps_avg = now > self->start_us && self->frames > 0
                 ? (double)self->frames * G_USEC_PER_SEC / (double)(now - self->start_us) : 0;
  out->latency_samples = self->latency_n;
  out->latency_p50_us = out->latency_p95_us = out->latency_max_us = -1;
  if (self->latency_n > 0)
    {
      g_autofree gint64 *sorted = g_memdup2 (self->latency, sizeof (gint64) * self->latency_n);

      qsort (sorted, self->latency_n, sizeof (gint64), cmp_i64);
      out->latency_p50_us = ridge_health_median (sorted, self->latency_n);
      out->latency_p95_us = ridge_health_percentile (sorted, self->latency_n, 95);
      out->latency_max_us = sorted[self->latency_n - 1];
    }
}
