/* ridge-stream.h — live image stream with credit-based flow control
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * STREAM_START gives the terminal N credits; each FRAME uses one; the stream returns a
 * credit (STREAM_CREDIT event) when a frame has been consumed — by default as soon as the
 * ::frame handlers have returned, or explicitly with ridge_stream_consume() when
 * auto-credit is off (a UI that paints asynchronously). RICE frames arrive decoded.
 */
#pragma once

#include "ridge-session.h"

G_BEGIN_DECLS

typedef struct {
  guint64 frames;          /* received */
  guint64 dropped;         /* terminal drops (no credit) + frames lost in transit */
  guint64 bytes;           /* encoded image bytes received */
  guint64 raw_bytes;       /* decoded pixel bytes */
  double  fps;             /* over the last complete second */
  double  fps_avg;         /* since start */
  gint64  latency_p50_us;  /* terminal capture → arrival (same clock on one machine) */
  gint64  latency_p95_us;
  gint64  latency_max_us;
  guint   latency_samples;
} RidgeStreamStats;

#define RIDGE_TYPE_STREAM (ridge_stream_get_type ())
G_DECLARE_FINAL_TYPE (RidgeStream, ridge_stream, RIDGE, STREAM, GObject)

RidgeStream *ridge_stream_new (RidgeSession * session);
void         ridge_stream_set_auto_credit (RidgeStream *self,
                                           gboolean     auto_credit);
/* flags: RIDGE_CAPTURE_MINUTIAE | RIDGE_CAPTURE_COMPRESS */
void         ridge_stream_start_async (RidgeStream        *self,
                                       guint16             credits,
                                       guint16             max_fps,
                                       guint8              flags,
                                       GCancellable       *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer            user_data);
gboolean     ridge_stream_start_finish (RidgeStream  *self,
                                        GAsyncResult *result,
                                        GError      **error);
/* STREAM_STOP; the terminal's own counts come back in sent/dropped (may be NULL). */
void         ridge_stream_stop_async (RidgeStream        *self,
                                      GCancellable       *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer            user_data);
gboolean     ridge_stream_stop_finish (RidgeStream  *self,
                                       GAsyncResult *result,
                                       guint32      *frames_sent,
                                       guint32      *frames_dropped,
                                       GError      **error);
/* Returns n credits to the terminal (manual mode). */
gboolean     ridge_stream_consume (RidgeStream *self,
                                   guint        n,
                                   GError     **error);
gboolean     ridge_stream_is_running (RidgeStream *self);
void         ridge_stream_get_stats (RidgeStream      *self,
                                     RidgeStreamStats *out);

G_END_DECLS
