/* ridge-terminal-session.c — one client connection: the protocol and the write path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything runs on the main loop. Reads feed a RidgeWireDecoder; each frame is
 * answered at once, except the requests that wait for a finger (CAPTURE, VERIFY,
 * IDENTIFY), which stay pending until the sensor tick sees a finger or their timeout
 * passes. Writes go through an output queue drained by the fault knobs (latency,
 * token-bucket rate limit, stall, drop after N bytes, bit corruption).
 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include <math.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <glib/gstdio.h>

#include "ridge-terminal-private.h"

typedef struct {
  guint8 *data;
  gsize   len;
  gsize   off;           /* bytes already sent */
  gsize   corrupt_upto;  /* bytes already passed through the corruption knob */
  gint64  not_before;    /* monotonic time before which the chunk may not leave */
} OutChunk;

typedef enum {
  OP_NONE,
  OP_CAPTURE,
  OP_VERIFY,
  OP_IDENTIFY,
} OpKind;

typedef struct {
  gboolean             active;
  guint32              id;
  char                *user_id;
  guint8               finger;
  guint8               wanted;
  guint8               accepted;
  guint8               index;        /* next sample event's index */
  guint32              timeout_ms;
  gint64               deadline;
  guint32              used_placement; /* the placement the last sample came from */
  gboolean             lift_told;
  gint64               lift_reminder_at;
  int                  quality_sum;
  RidgeEnrollTemplate *tpl;
} Enrollment;

struct _RidgeTerminalSession {
  RidgeTerminal     *term;
  GSocketConnection *conn;
  GSocket           *socket;
  char              *peer;
  gboolean           controlling;
  gboolean           closed;
  gboolean           close_after_flush;
  gboolean           reboot_after_close;
  GSource           *in_source;
  GSource           *out_source;
  guint              out_timer;
  guint              idle_id;
  gint64             last_rx_us;

  RidgeWireDecoder dec;
  guint8          *rx_buf;
  gboolean         hello;
  guint32          client_max_payload;
  guint32          event_seq;

  GQueue out;
  gsize  out_bytes;
  double tokens;
  gint64 tokens_time;

  gboolean streaming;
  guint32  credits;
  guint32  stream_sent;
  guint32  stream_dropped;
  guint8   stream_flags;
  guint16  max_fps;
  gint64   last_frame_us;
  guint32  frame_no;

  gboolean last_present;

  OpKind  op;
  guint32 op_seq;
  guint16 op_type;
  guint8  op_flags;
  gint64  op_deadline;
  guint32 op_wait_ms;     /* the wait asked for, for the timeout's sentence */
  guint32 verify_id;
  char   *verify_user;
  guint8  verify_finger;

  Enrollment enroll;
  guint32    next_enroll_id;
};

static void session_flush (RidgeTerminalSession *s);
static void arm_input (RidgeTerminalSession *s,
                       gboolean              on);
static void handle_frame (RidgeTerminalSession  *s,
                          const RidgeWireHeader *hdr,
                          const guint8          *payload);

/* ---- write path ---------------------------------------------------------------------- */

static void
out_chunk_free (OutChunk *c)
{
  g_free (c->data);
  g_free (c);
}

static void
count (RidgeTerminalSession *s,
       int                   counter,
       guint64               n)
{
  s->term->counters[counter] += n;
}

/* Queues a whole frame. Returns FALSE (and drops the connection) when the client does
 * not read and the queue would pass its bound. */
static gboolean
queue_bytes (RidgeTerminalSession *s,
             guint8               *data,
             gsize                 len)
{
  OutChunk *c;

  if (s->closed)
    {
      g_free (data);
      return FALSE;
    }
  if (s->out_bytes + len > RIDGE_TERMINAL_MAX_OUT_QUEUE)
    {
      g_free (data);
      ridge_terminal_session_close (s, "the client does not read its data (output queue full)");
      return FALSE;
    }
  c = g_new0 (OutChunk, 1);
  c->data = data;
  c->len = len;
  c->not_before = g_get_monotonic_time ()
                  + (s->controlling ? (gint64)s->term->faults.latency_ms * 1000 : 0);
  g_queue_push_tail (&s->out, c);
  s->out_bytes += len;
  session_flush (s);
  return TRUE;
}

static gboolean
send_msg (RidgeTerminalSession *s,
          guint16               type,
          guint8                flags,
          guint32               seq,
          const RidgeWireMsg   *msg,
          gsize                 size_hint)
{
  gsize cap = RIDGE_WIRE_OVERHEAD + size_hint + 1024;

  for (;;)
    {
      guint8 *buf = g_malloc (cap);
      int32_t n = ridge_wire_encode (buf, cap, type, flags, seq, msg);

      if (n >= 0)
        {
          if ((guint32)n - RIDGE_WIRE_OVERHEAD > s->client_max_payload)
            {
              g_free (buf);
              g_warning ("A %s message of %d bytes exceeds the client's limit of %u bytes",
                         ridge_wire_type_name (type), n, s->client_max_payload);
              return FALSE;
            }
          return queue_bytes (s, buf, n);
        }
      g_free (buf);
      if (n != RIDGE_WIRE_E_NOSPACE || cap >= RIDGE_WIRE_OVERHEAD + RIDGE_WIRE_MAX_PAYLOAD)
        {
          g_warning ("Could not encode a %s message: %s", ridge_wire_type_name (type),
                     ridge_wire_strerror (n));
          return FALSE;
        }
      cap = MIN (cap * 4, RIDGE_WIRE_OVERHEAD + RIDGE_WIRE_MAX_PAYLOAD);
    }
}

static gboolean
respond (RidgeTerminalSession  *s,
         const RidgeWireHeader *req,
         const RidgeWireMsg    *msg,
         gsize                  size_hint)
{
  return send_msg (s, req->type, RIDGE_WIRE_FLAG_RESPONSE, req->seq, msg, size_hint);
}

static gboolean
send_event (RidgeTerminalSession *s,
            guint16               type,
            const RidgeWireMsg   *msg,
            gsize                 size_hint)
{
  return send_msg (s, type, RIDGE_WIRE_FLAG_EVENT, ++s->event_seq, msg, size_hint);
}

static void
send_error_full (RidgeTerminalSession *s,
                 guint16               type,
                 guint32               seq,
                 guint16               code,
                 const char           *text)
{
  RidgeWireMsg msg;
  gsize len = strlen (text);

  memset (&msg, 0, sizeof msg);
  msg.error.code = code;
  msg.error.text.ptr = text;
  msg.error.text.len = MIN (len, 1024);
  count (s, RIDGE_COUNTER_ERRORS, 1);
  g_message ("%s: %s %s: %s", s->peer, ridge_wire_type_name (type) ? ridge_wire_type_name (type)
             : "unknown request", ridge_wire_error_code_name (code), text);
  send_msg (s, type, RIDGE_WIRE_FLAG_RESPONSE | RIDGE_WIRE_FLAG_ERROR, seq, &msg, len + 16);
}

G_GNUC_PRINTF (4, 5)
static void
send_error (RidgeTerminalSession  *s,
            const RidgeWireHeader *req,
            guint16                code,
            const char            *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  send_error_full (s, req->type, req->seq, code, text);
}

static void
send_gerror (RidgeTerminalSession  *s,
             const RidgeWireHeader *req,
             const GError          *error)
{
  guint16 code = error->domain == RIDGE_TERMINAL_ERROR ? error->code
                 : error->domain == G_IO_ERROR ? RIDGE_ERR_STORAGE : RIDGE_ERR_INTERNAL;

  send_error_full (s, req->type, req->seq, code, error->message);
}

static gboolean
on_out_timer (gpointer user_data)
{
  RidgeTerminalSession *s = user_data;

  s->out_timer = 0;
  session_flush (s);
  return G_SOURCE_REMOVE;
}

static gboolean
on_writable (GSocket     *socket,
             GIOCondition condition,
             gpointer     user_data)
{
  RidgeTerminalSession *s = user_data;

  g_clear_pointer (&s->out_source, g_source_destroy);
  session_flush (s);
  return G_SOURCE_REMOVE;
}

static void
schedule_flush (RidgeTerminalSession *s,
                gint64                delay_us)
{
  guint ms = MAX (1, (guint)((delay_us + 999) / 1000));

  if (s->out_timer == 0)
    s->out_timer = g_timeout_add (ms, on_out_timer, s);
}

static void
corrupt (RidgeTerminalSession *s,
         OutChunk             *c,
         gsize                 upto)
{
  double p = s->controlling ? s->term->faults.corrupt_rate : 0;

  if (p > 0)
    for (gsize i = c->corrupt_upto; i < upto; i++)
      if (g_rand_double (s->term->fault_rand) < p)
        c->data[i] ^= 1u << g_rand_int_range (s->term->fault_rand, 0, 8);
  c->corrupt_upto = MAX (c->corrupt_upto, upto);
}

static void
session_flush (RidgeTerminalSession *s)
{
  /* the fault knobs act on the controlling client's link only */
  static RidgeFaults no_faults = { 0, 0, FALSE, -1, 0 };
  RidgeFaults *f = s->controlling ? &s->term->faults : &no_faults;

  while (!s->closed && !g_queue_is_empty (&s->out))
    {
      OutChunk *c = g_queue_peek_head (&s->out);
      gint64 now = g_get_monotonic_time ();
      gsize allowed = c->len - c->off;
      g_autoptr (GError) error = NULL;
      gssize n;

      if (f->stall)
        return;  /* ridge_terminal_session_faults_changed () restarts us */
      if (s->out_source != NULL || s->out_timer != 0)
        return;  /* already waiting */
      if (now < c->not_before)
        {
          schedule_flush (s, c->not_before - now);
          return;
        }
      if (f->rate_limit > 0)
        {
          double burst = MAX (1024.0, f->rate_limit / 20.0);
          s->tokens = MIN (burst, s->tokens + (now - s->tokens_time) * f->rate_limit / 1e6);
          s->tokens_time = now;
          if (s->tokens < 1.0)
            {
              schedule_flush (s, (gint64)((1.0 - s->tokens) * 1e6 / f->rate_limit) + 1000);
              return;
            }
          allowed = MIN (allowed, (gsize)s->tokens);
        }
      if (f->drop_after >= 0)
        {
          if (f->drop_after == 0)
            {
              f->drop_after = -1;
              ridge_terminal_session_close (s, "fault drop-after: connection dropped");
              return;
            }
          allowed = MIN (allowed, (gsize)f->drop_after);
        }

      corrupt (s, c, c->off + allowed);
      n = g_socket_send (s->socket, (const char *)c->data + c->off, allowed, NULL, &error);
      if (n < 0)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            {
              s->out_source = g_socket_create_source (s->socket, G_IO_OUT, NULL);
              g_source_set_callback (s->out_source, (GSourceFunc)(void (*)(void))on_writable,
                                     s, NULL);
              g_source_attach (s->out_source, NULL);
              g_source_unref (s->out_source);
              return;
            }
          ridge_terminal_session_close (s, error->message);
          return;
        }
      c->off += n;
      s->out_bytes -= n;
      count (s, RIDGE_COUNTER_BYTES_SENT, n);
      if (f->rate_limit > 0)
        s->tokens -= n;
      if (f->drop_after > 0)
        f->drop_after -= MIN ((gint64)n, f->drop_after);
      if (f->drop_after == 0)
        {
          f->drop_after = -1;
          ridge_terminal_session_close (s, "fault drop-after: connection dropped");
          return;
        }
      if (c->off == c->len)
        out_chunk_free (g_queue_pop_head (&s->out));
    }
  if (!s->closed && s->close_after_flush && g_queue_is_empty (&s->out))
    ridge_terminal_session_close (s, NULL);
}

void
ridge_terminal_session_faults_changed (RidgeTerminalSession *s)
{
  if (s == NULL || s->closed)
    return;
  s->tokens = 0;
  s->tokens_time = g_get_monotonic_time ();
  g_clear_handle_id (&s->out_timer, g_source_remove);
  arm_input (s, !s->term->faults.stall);
  session_flush (s);
}

/* ---- frames and features ------------------------------------------------------------- */

static guint16
angle_to_wire (float radians)
{
  double turns = radians / (2.0 * G_PI);

  turns -= floor (turns);
  return (guint16)((guint32)lround (turns * 65536.0) & 0xffffu);
}

static RidgeWireMinutia *
minutiae_to_wire (const RidgeFeatures *features,
                  guint16             *n_out)
{
  int n = MIN (ridge_features_n_minutiae (features), (int)RIDGE_WIRE_MAX_MINUTIAE);
  const RidgeMinutia *m = ridge_features_minutiae (features);
  RidgeWireMinutia *w = g_new0 (RidgeWireMinutia, MAX (n, 1));

  for (int i = 0; i < n; i++)
    {
      w[i].x = (guint16)CLAMP (lroundf (m[i].x), 0, G_MAXUINT16);
      w[i].y = (guint16)CLAMP (lroundf (m[i].y), 0, G_MAXUINT16);
      w[i].angle = angle_to_wire (m[i].angle);
      w[i].type = m[i].type;
      w[i].quality = m[i].quality;
    }
  *n_out = n;
  return w;
}

/* Extracts features from img; NULL with a reason when the engine cannot. */
static RidgeFeatures *
extract (const RidgeImage *img,
         GError          **error)
{
  RidgeFeatures *features = NULL;
  int r = ridge_extract (img, NULL, &features);

  if (r == RIDGE_ENGINE_E_NO_PRINT)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_LOW_QUALITY,
                   "No fingerprint could be found in the image");
      return NULL;
    }
  if (r != RIDGE_ENGINE_OK)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL,
                   "Feature extraction failed: %s", ridge_engine_strerror (r));
      return NULL;
    }
  return features;
}

typedef struct {
  RidgeWireFrame    frame;
  guint8           *encoded;   /* RICE output, when used */
  RidgeWireMinutia *minutiae;
} FrameBuild;

static void
frame_build_clear (FrameBuild *b)
{
  g_clear_pointer (&b->encoded, g_free);
  g_clear_pointer (&b->minutiae, g_free);
}

/* Fills b->frame from img. features may be NULL (quality 255, no minutiae). */
static void
frame_build (RidgeTerminalSession *s,
             FrameBuild           *b,
             const RidgeImage     *img,
             gboolean              present,
             guint32               frame_no,
             const RidgeFeatures  *features,
             gboolean              with_minutiae,
             gboolean              compress)
{
  memset (b, 0, sizeof *b);
  b->frame.frame_no = frame_no;
  b->frame.timestamp_us = g_get_monotonic_time ();
  b->frame.width = img->width;
  b->frame.height = img->height;
  b->frame.dpi = img->dpi;
  b->frame.finger_present = present ? 1 : 0;
  b->frame.quality = 255;
  b->frame.dropped_total = s->stream_dropped;
  b->frame.encoding = RIDGE_ENC_RAW;
  b->frame.image.ptr = img->pixels;
  b->frame.image.len = (guint32)img->width * img->height;

  if (features != NULL)
    {
      b->frame.quality = ridge_features_quality (features);
      if (with_minutiae)
        {
          b->minutiae = minutiae_to_wire (features, &b->frame.n_minutiae);
          b->frame.minutiae = b->minutiae;
        }
    }

  if (compress)
    {
      guint32 bound = ridge_wire_rice_bound (img->width, img->height);
      guint8 *out = g_malloc (bound);
      int32_t n = ridge_wire_rice_encode (img->pixels, img->width, img->height, out, bound);

      /* RICE only when it actually saves bytes */
      if (n > 0 && (guint32)n < b->frame.image.len)
        {
          b->encoded = out;
          b->frame.encoding = RIDGE_ENC_RICE;
          b->frame.image.ptr = out;
          b->frame.image.len = n;
        }
      else
        g_free (out);
    }
}

static gsize
frame_size_hint (const FrameBuild *b)
{
  return 64 + b->frame.image.len + (gsize)b->frame.n_minutiae * RIDGE_WIRE_MINUTIA_SIZE;
}

/* ---- sensor-driven work -------------------------------------------------------------- */

static void
finish_op (RidgeTerminalSession *s)
{
  s->op = OP_NONE;
}

static RidgeWireHeader
op_header (RidgeTerminalSession *s)
{
  RidgeWireHeader h = { 0 };

  h.version = RIDGE_WIRE_VERSION;
  h.type = s->op_type;
  h.seq = s->op_seq;
  return h;
}

static void
complete_capture (RidgeTerminalSession  *s,
                  const RidgeWireHeader *req,
                  guint8                 flags)
{
  RidgeTerminal *term = s->term;
  gboolean present = FALSE;
  RidgeImage *img = ridge_sensor_read (term->sensor, &term->params, &present);
  RidgeFeatures *features = NULL;
  FrameBuild b;
  RidgeWireMsg msg;

  if (img == NULL)
    {
      send_error (s, req, RIDGE_ERR_INTERNAL, "The sensor gave no image");
      return;
    }
  if (present && ridge_terminal_engine_ready ())
    features = extract (img, NULL);
  frame_build (s, &b, img, present, 0, features, (flags & RIDGE_CAPTURE_MINUTIAE) != 0,
               (flags & RIDGE_CAPTURE_COMPRESS) != 0);
  msg.frame = b.frame;
  if (respond (s, req, &msg, frame_size_hint (&b)))
    count (s, RIDGE_COUNTER_CAPTURES, 1);
  frame_build_clear (&b);
  g_clear_pointer (&features, ridge_features_free);
  ridge_sensor_image_free (img);
}

/* Captures the probe on the sensor and turns it into a template. */
static gboolean
probe_template (RidgeTerminalSession *s,
                RidgeTemplate        *probe,
                guint8               *quality,
                GError              **error)
{
  RidgeTerminal *term = s->term;
  gboolean present = FALSE;
  RidgeImage *img = ridge_sensor_read (term->sensor, &term->params, &present);
  RidgeFeatures *features;
  int r;

  if (img == NULL)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL, "The sensor gave no image");
      return FALSE;
    }
  features = extract (img, error);
  if (features == NULL)
    {
      ridge_sensor_image_free (img);
      return FALSE;
    }
  *quality = ridge_features_quality (features);
  r = ridge_template_from_features (features, img->width, img->height, img->dpi, probe);
  ridge_features_free (features);
  ridge_sensor_image_free (img);
  if (r != RIDGE_ENGINE_OK)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_INTERNAL,
                   "Could not build the probe template: %s", ridge_engine_strerror (r));
      return FALSE;
    }
  if (probe->n_minutiae < RIDGE_TERMINAL_MIN_MINUTIAE / 2)
    {
      g_set_error (error, RIDGE_TERMINAL_ERROR, RIDGE_ERR_LOW_QUALITY,
                   "The probe has too few minutiae (%u)", probe->n_minutiae);
      return FALSE;
    }
  return TRUE;
}

/* Score of probe against a stored record, or -1 when it cannot be matched. */
static int
match_entry (const RidgeTemplate           *probe,
             const RidgeTerminalStoreEntry *e)
{
  RidgeEnrollTemplate *enrolled;
  int score;

  if (e->format != RIDGE_TPL_NATIVE)
    return -1;
  enrolled = g_new0 (RidgeEnrollTemplate, 1);
  if (ridge_enroll_deserialize (g_bytes_get_data (e->data, NULL), g_bytes_get_size (e->data),
                                enrolled) != RIDGE_ENGINE_OK)
    {
      g_warning ("Template %u cannot be read by the engine", e->id);
      g_free (enrolled);
      return -1;
    }
  score = ridge_match_enrolled (probe, enrolled, NULL, NULL);
  g_free (enrolled);
  return score;
}

static void
complete_match (RidgeTerminalSession *s)
{
  RidgeWireHeader req = op_header (s);
  OpKind kind = s->op;

  finish_op (s);
  {
    RidgeTerminalStore *store = s->term->store;
    g_autoptr (GError) error = NULL;
    RidgeTemplate *probe = g_new0 (RidgeTemplate, 1);
    const RidgeTerminalStoreEntry *best = NULL;
    int best_score = 0;
    guint8 quality = 0;
    RidgeWireMsg msg;

    if (!probe_template (s, probe, &quality, &error))
      {
        send_gerror (s, &req, error);
        g_free (probe);
        return;
      }
    if (kind == OP_VERIFY && s->verify_id != 0)
      {
        best = ridge_terminal_store_lookup (store, s->verify_id);
        if (best == NULL)
          {
            send_error (s, &req, RIDGE_ERR_NOT_FOUND, "Template %u was deleted meanwhile",
                        s->verify_id);
            g_free (probe);
            return;
          }
        best_score = MAX (0, match_entry (probe, best));
      }
    else
      {
        for (guint i = 0; i < ridge_terminal_store_count (store); i++)
          {
            const RidgeTerminalStoreEntry *e = ridge_terminal_store_nth (store, i);
            int score;
            /* VERIFY by user: every record of the user (and finger) */
            if (kind == OP_VERIFY && (g_strcmp0 (e->user_id, s->verify_user) != 0
                                      || (s->verify_finger != 0
                                          && e->finger != s->verify_finger)))
              continue;
            score = match_entry (probe, e);
            if (score > best_score || (best == NULL && score >= 0))
              {
                best_score = MAX (score, 0);
                best = e;
              }
          }
      }
    g_free (probe);
    count (s, RIDGE_COUNTER_MATCHES, 1);

    memset (&msg, 0, sizeof msg);
    msg.match_result.score = best_score;
    msg.match_result.threshold = RIDGE_MATCH_THRESHOLD;
    msg.match_result.matched = best != NULL && best_score >= RIDGE_MATCH_THRESHOLD;
    msg.match_result.probe_quality = quality;
    if (best != NULL && (kind == OP_VERIFY || msg.match_result.matched))
      {
        msg.match_result.id = best->id;
        msg.match_result.user_id.ptr = best->user_id;
        msg.match_result.user_id.len = strlen (best->user_id);
        msg.match_result.finger = best->finger;
      }
    g_message ("%s: %s score %d (threshold %d): %s", s->peer,
               kind == OP_VERIFY ? "verify" : "identify", best_score, RIDGE_MATCH_THRESHOLD,
               msg.match_result.matched ? "match" : "no match");
    respond (s, &req, &msg, 300);
  }
}

static void
enroll_clear (Enrollment *e)
{
  g_clear_pointer (&e->user_id, g_free);
  g_clear_pointer (&e->tpl, g_free);
  memset (e, 0, sizeof *e);
}

static void
send_sample_event (RidgeTerminalSession *s,
                   guint8                status,
                   guint8                quality,
                   const RidgeImage     *img,
                   gboolean              present)
{
  Enrollment *e = &s->enroll;
  RidgeWireMsg msg;
  RidgeImage empty = { 0 };
  FrameBuild b;

  if (img == NULL)
    img = &empty;
  memset (&msg, 0, sizeof msg);
  frame_build (s, &b, img, present, 0, NULL, FALSE, (s->stream_flags & RIDGE_CAPTURE_COMPRESS)
               != 0 && img->pixels != NULL);
  b.frame.quality = quality;
  msg.enroll_sample.enroll_id = e->id;
  msg.enroll_sample.index = e->index;
  msg.enroll_sample.samples = e->wanted;
  msg.enroll_sample.accepted = e->accepted;
  msg.enroll_sample.status = status;
  msg.enroll_sample.quality = quality;
  msg.enroll_sample.frame = b.frame;
  send_event (s, RIDGE_MSG_ENROLL_SAMPLE, &msg, frame_size_hint (&b) + 16);
  frame_build_clear (&b);
}

static void
enroll_take_sample (RidgeTerminalSession *s)
{
  Enrollment *e = &s->enroll;
  RidgeTerminal *term = s->term;
  gboolean present = FALSE;
  RidgeImage *img = ridge_sensor_read (term->sensor, &term->params, &present);
  RidgeFeatures *features = NULL;
  guint8 status = RIDGE_SAMPLE_ACCEPTED;
  guint8 quality = 0;
  RidgeTemplate *t = g_new0 (RidgeTemplate, 1);

  if (img == NULL)
    {
      g_free (t);
      return;
    }
  features = extract (img, NULL);
  if (features == NULL)
    status = RIDGE_SAMPLE_LOW_QUALITY;
  else
    {
      quality = ridge_features_quality (features);
      if (ridge_template_from_features (features, img->width, img->height, img->dpi, t)
          != RIDGE_ENGINE_OK)
        status = RIDGE_SAMPLE_LOW_QUALITY;
      else if (quality < RIDGE_TERMINAL_MIN_QUALITY)
        status = RIDGE_SAMPLE_LOW_QUALITY;
      else if (t->n_minutiae < RIDGE_TERMINAL_MIN_MINUTIAE)
        status = RIDGE_SAMPLE_TOO_FEW_MINUTIAE;
      else if (e->accepted > 0)
        {
          /* the samples must come from one finger: the new one has to match an earlier one */
          int best = 0;
          for (int i = 0; i < e->tpl->n_samples; i++)
            best = MAX (best, ridge_match (t, &e->tpl->samples[i], NULL));
          if (best < RIDGE_MATCH_THRESHOLD)
            status = RIDGE_SAMPLE_MISMATCH;
        }
      ridge_features_free (features);
    }

  if (status == RIDGE_SAMPLE_ACCEPTED)
    {
      /* the engine's template holds RIDGE_ENROLL_MAX_SAMPLES samples: beyond that the
       * best ones are kept */
      if (e->tpl->n_samples < RIDGE_ENROLL_MAX_SAMPLES)
        e->tpl->samples[e->tpl->n_samples++] = *t;
      else
        {
          int worst = 0;
          for (int i = 1; i < e->tpl->n_samples; i++)
            if (e->tpl->samples[i].quality < e->tpl->samples[worst].quality)
              worst = i;
          if (t->quality >= e->tpl->samples[worst].quality)
            e->tpl->samples[worst] = *t;
        }
      e->accepted++;
      e->quality_sum += quality;
    }
  g_message ("%s: enrollment %u sample %u: status %u, quality %u, %u of %u accepted", s->peer,
             e->id, e->index, status, quality, e->accepted, e->wanted);
  send_sample_event (s, status, quality, img, present);
  e->index++;
  e->deadline = g_get_monotonic_time () + (gint64)e->timeout_ms * 1000;
  e->lift_told = FALSE;
  e->lift_reminder_at = g_get_monotonic_time () + 1500 * 1000;
  g_free (t);
  ridge_sensor_image_free (img);
}

static void
enroll_tick (RidgeTerminalSession *s,
             gboolean              present,
             guint32               placement)
{
  Enrollment *e = &s->enroll;
  gint64 now = g_get_monotonic_time ();

  if (!e->active || e->accepted >= e->wanted)
    return;
  if (present && placement != e->used_placement)
    {
      e->used_placement = placement;
      enroll_take_sample (s);
      return;
    }
  /* the sample timeout counts the time without a finger on the sensor */
  if (present)
    e->deadline = now + (gint64)e->timeout_ms * 1000;
  if (present && !e->lift_told && now >= e->lift_reminder_at)
    {
      /* the finger stayed on after a sample: tell the user to lift it */
      e->lift_told = TRUE;
      send_sample_event (s, RIDGE_SAMPLE_LIFT_FINGER, 0, NULL, TRUE);
      return;
    }
  if (now >= e->deadline)
    {
      g_message ("%s: enrollment %u timed out waiting for sample %u", s->peer, e->id, e->index);
      count (s, RIDGE_COUNTER_TIMEOUTS, 1);
      send_sample_event (s, RIDGE_SAMPLE_TIMEOUT, 0, NULL, present);
      /* the enrollment stays open: the user may still come, or the client cancels */
      e->deadline = now + (gint64)e->timeout_ms * 1000;
    }
}

static void
stream_tick (RidgeTerminalSession *s,
             gboolean              present)
{
  RidgeTerminal *term = s->term;
  gint64 now = g_get_monotonic_time ();
  gint64 period = s->max_fps > 0 ? 1000000 / s->max_fps : 0;
  RidgeFeatures *features = NULL;
  RidgeImage *img;
  FrameBuild b;
  RidgeWireMsg msg;
  gboolean sensor_present = FALSE;

  if (!s->streaming)
    return;
  if (period > 0 && s->last_frame_us != 0 && now - s->last_frame_us < period - 2000)
    return;
  s->last_frame_us = now;
  s->frame_no++;

  /* never queue unboundedly: without credit (or with a blocked link) the frame is dropped */
  if (s->credits == 0 || s->out_bytes > 256 * 1024 || term->faults.stall)
    {
      s->stream_dropped++;
      count (s, RIDGE_COUNTER_DROPS, 1);
      return;
    }

  img = ridge_sensor_read (term->sensor, &term->params, &sensor_present);
  if (img == NULL)
    return;

  if (sensor_present && (s->stream_flags & RIDGE_CAPTURE_MINUTIAE) &&
      ridge_terminal_engine_ready ())
    {
      guint32 placement = 0;
      ridge_sensor_get_placement (term->sensor, NULL, NULL, &placement);
      if (term->live_features == NULL || term->live_features_placement != placement
          || memcmp (&term->live_features_params, &term->params, sizeof term->params) != 0)
        {
          g_clear_pointer (&term->live_features, ridge_features_free);
          term->live_features = extract (img, NULL);
          term->live_features_placement = placement;
          term->live_features_params = term->params;
        }
      features = term->live_features;
    }

  frame_build (s, &b, img, sensor_present, s->frame_no, features,
               (s->stream_flags & RIDGE_CAPTURE_MINUTIAE) != 0,
               (s->stream_flags & RIDGE_CAPTURE_COMPRESS) != 0);
  msg.frame = b.frame;
  if (send_event (s, RIDGE_MSG_FRAME, &msg, frame_size_hint (&b)))
    {
      s->credits--;
      s->stream_sent++;
      count (s, RIDGE_COUNTER_FRAMES, 1);
    }
  frame_build_clear (&b);
  ridge_sensor_image_free (img);
}

void
ridge_terminal_session_tick (RidgeTerminalSession *s)
{
  RidgeTerminal *term = s->term;
  gboolean present;
  guint32 placement = 0;
  gint64 now = g_get_monotonic_time ();

  if (s->closed || !s->controlling || !s->hello)
    return;

  present = ridge_sensor_finger_present (term->sensor);
  ridge_sensor_get_placement (term->sensor, NULL, NULL, &placement);
  if (present != s->last_present)
    {
      RidgeWireMsg msg;

      s->last_present = present;
      memset (&msg, 0, sizeof msg);
      msg.finger.present = present;
      msg.finger.timestamp_us = now;
      send_event (s, RIDGE_MSG_FINGER, &msg, 16);
      if (s->closed)
        return;
    }

  if (s->op != OP_NONE)
    {
      if (present)
        {
          if (s->op == OP_CAPTURE)
            {
              RidgeWireHeader req = op_header (s);
              finish_op (s);
              complete_capture (s, &req, s->op_flags);
            }
          else
            complete_match (s);
        }
      else if (now >= s->op_deadline)
        {
          RidgeWireHeader req = op_header (s);
          finish_op (s);
          count (s, RIDGE_COUNTER_TIMEOUTS, 1);
          send_error (s, &req, RIDGE_ERR_TIMEOUT, "the terminal waited %.1f s for a finger",
                      s->op_wait_ms / 1000.0);
        }
      if (s->closed)
        return;
    }

  enroll_tick (s, present, placement);
  if (s->closed)
    return;
  stream_tick (s, present);
}

/* ---- requests ------------------------------------------------------------------------ */

static void
handle_hello (RidgeTerminalSession  *s,
              const RidgeWireHeader *hdr,
              const RidgeWireHello  *hello)
{
  RidgeWireMsg msg;
  g_autofree char *raw = g_strndup (hello->client_name.ptr, hello->client_name.len);
  g_autofree char *name = g_utf8_make_valid (raw, -1);

  if (hello->version_min > RIDGE_WIRE_VERSION || hello->version_max < RIDGE_WIRE_VERSION
      || hello->version_min > hello->version_max)
    {
      send_error (s, hdr, RIDGE_ERR_VERSION,
                  "The terminal speaks protocol version %u; the client offers %u to %u",
                  RIDGE_WIRE_VERSION, hello->version_min, hello->version_max);
      return;
    }
  if (hello->max_payload < 1024)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG,
                  "A max_payload of %u bytes is too small (at least 1024)", hello->max_payload);
      return;
    }
  s->hello = TRUE;
  s->client_max_payload = MIN (hello->max_payload, RIDGE_WIRE_MAX_PAYLOAD);
  g_message ("%s: HELLO from \"%s\"", s->peer, name);
  ridge_terminal_fill_info (s->term, &msg.info);
  respond (s, hdr, &msg, 1200);
  /* the client learns the finger state from the first tick */
  s->last_present = FALSE;
}

static void
fill_template_info (const RidgeTerminalStoreEntry *e,
                    RidgeWireTemplateInfo         *info)
{
  memset (info, 0, sizeof *info);
  info->id = e->id;
  info->user_id.ptr = e->user_id;
  info->user_id.len = MIN (strlen (e->user_id), RIDGE_WIRE_STR_MAX);
  info->name.ptr = e->name;
  info->name.len = MIN (strlen (e->name), RIDGE_WIRE_STR_MAX);
  info->finger = e->finger;
  info->samples = e->samples;
  info->quality = e->quality;
  info->format = e->format;
  info->created_unix_ms = e->created_unix_ms;
  info->updated_unix_ms = e->updated_unix_ms;
  info->size = g_bytes_get_size (e->data);
}

static guint64
now_unix_ms (RidgeTerminalSession *s)
{
  return (guint64)MAX (0, ridge_terminal_wall_time_us (s->term) / 1000);
}

static gboolean
start_op (RidgeTerminalSession  *s,
          const RidgeWireHeader *hdr,
          OpKind                 kind,
          guint8                 flags,
          guint32                timeout_ms)
{
  if (s->op != OP_NONE)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "The terminal is already waiting for a finger "
                                               "for a %s request",
                  ridge_wire_type_name (s->op_type));
      return FALSE;
    }
  if (s->enroll.active && kind != OP_CAPTURE)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "An enrollment is in progress");
      return FALSE;
    }
  s->op = kind;
  s->op_seq = hdr->seq;
  s->op_type = hdr->type;
  s->op_flags = flags;
  s->op_wait_ms = timeout_ms ? timeout_ms : RIDGE_TERMINAL_DEFAULT_TIMEOUT;
  s->op_deadline = g_get_monotonic_time () + (gint64)s->op_wait_ms * 1000;
  ridge_terminal_session_tick (s);
  return TRUE;
}

static void
handle_enroll_begin (RidgeTerminalSession       *s,
                     const RidgeWireHeader      *hdr,
                     const RidgeWireEnrollBegin *b)
{
  Enrollment *e = &s->enroll;
  RidgeWireMsg msg;
  guint32 placement = 0;

  if (!ridge_terminal_engine_ready ())
    {
      send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "This terminal's engine cannot enroll yet");
      return;
    }
  if (e->active)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "Enrollment %u is already in progress", e->id);
      return;
    }
  if (s->op != OP_NONE)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "A %s request is waiting for a finger",
                  ridge_wire_type_name (s->op_type));
      return;
    }
  if (b->samples < 1 || b->samples > 16)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "An enrollment takes 1 to 16 samples, not %u",
                  b->samples);
      return;
    }
  if (b->finger > 10)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "Finger position %u is not 0..10", b->finger);
      return;
    }
  if (b->user_id.len == 0)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "The user id is empty");
      return;
    }
  if (ridge_terminal_store_count (s->term->store) >= ridge_terminal_store_capacity (s->term->store))
    {
      send_error (s, hdr, RIDGE_ERR_STORE_FULL, "The template store is full (%u templates)",
                  ridge_terminal_store_capacity (s->term->store));
      return;
    }

  enroll_clear (e);
  e->active = TRUE;
  e->id = ++s->next_enroll_id;
  e->user_id = g_strndup (b->user_id.ptr, b->user_id.len);
  e->finger = b->finger;
  e->wanted = b->samples;
  e->timeout_ms = b->timeout_ms ? b->timeout_ms : RIDGE_TERMINAL_ENROLL_TIMEOUT;
  e->deadline = g_get_monotonic_time () + (gint64)e->timeout_ms * 1000;
  e->tpl = g_new0 (RidgeEnrollTemplate, 1);
  /* a finger already resting on the sensor must be lifted first */
  ridge_sensor_get_placement (s->term->sensor, NULL, NULL, &placement);
  e->used_placement = ridge_sensor_finger_present (s->term->sensor) ? placement : 0;
  e->lift_reminder_at = g_get_monotonic_time ();
  g_message ("%s: enrollment %u begins: %u samples", s->peer, e->id, e->wanted);

  memset (&msg, 0, sizeof msg);
  msg.enroll_begun.enroll_id = e->id;
  respond (s, hdr, &msg, 8);
}

static void
handle_enroll_commit (RidgeTerminalSession        *s,
                      const RidgeWireHeader       *hdr,
                      const RidgeWireEnrollCommit *c)
{
  Enrollment *e = &s->enroll;

  if (!e->active || c->enroll_id != e->id)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "There is no enrollment %u in progress",
                  c->enroll_id);
      return;
    }
  if (e->accepted < e->wanted)
    {
      send_error (s, hdr, RIDGE_ERR_BAD_STATE, "Enrollment %u has %u of %u samples", e->id,
                  e->accepted, e->wanted);
      return;
    }
  {
    RidgeTerminalStore *store = s->term->store;
    g_autoptr (GError) error = NULL;
    g_autofree guint8 *buf = g_malloc (RIDGE_ENROLL_MAX_BYTES);
    g_autofree char *name = g_strndup (c->name.ptr, c->name.len);
    const RidgeTerminalStoreEntry *stored;
    RidgeTerminalStoreEntry entry = { 0 };
    RidgeWireMsg msg;
    size_t len = 0;
    int r;

    if (!(c->flags & RIDGE_COMMIT_ALLOW_DUPLICATE))
      {
        for (guint i = 0; i < ridge_terminal_store_count (store); i++)
          {
            const RidgeTerminalStoreEntry *other = ridge_terminal_store_nth (store, i);
            int best = -1;
            for (int k = 0; k < e->tpl->n_samples; k++)
              best = MAX (best, match_entry (&e->tpl->samples[k], other));
            if (best >= RIDGE_MATCH_THRESHOLD)
              {
                send_error (s, hdr, RIDGE_ERR_DUPLICATE,
                            "This finger is already enrolled as template %u of user \"%s\" "
                            "(finger %u, score %d)", other->id, other->user_id, other->finger,
                            best);
                return;
              }
          }
      }

    r = ridge_enroll_serialize (e->tpl, buf, RIDGE_ENROLL_MAX_BYTES, &len);
    if (r != RIDGE_ENGINE_OK)
      {
        send_error (s, hdr, RIDGE_ERR_INTERNAL, "Could not serialize the template: %s",
                    ridge_engine_strerror (r));
        return;
      }
    entry.user_id = e->user_id;
    entry.name = name;
    entry.finger = e->finger;
    entry.samples = e->accepted;
    entry.quality = e->accepted ? e->quality_sum / e->accepted : 0;
    entry.format = RIDGE_TPL_NATIVE;
    entry.created_unix_ms = entry.updated_unix_ms = now_unix_ms (s);
    entry.data = g_bytes_new (buf, len);
    stored = ridge_terminal_store_put (store, &entry, &error);
    g_bytes_unref (entry.data);
    if (stored == NULL)
      {
        send_gerror (s, hdr, error);
        return;
      }
    count (s, RIDGE_COUNTER_ENROLLS, 1);
    g_message ("%s: enrollment %u stored as template %u", s->peer, e->id, stored->id);
    enroll_clear (e);
    fill_template_info (stored, &msg.template_info);
    respond (s, hdr, &msg, RIDGE_WIRE_TEMPLATE_INFO_MAX);
  }
}

static gboolean
validate_template (RidgeTerminalSession    *s,
                   const RidgeWireHeader   *hdr,
                   const RidgeWireTemplate *t)
{
  if (t->data.len == 0 || t->data.len > RIDGE_TERMINAL_MAX_TEMPLATE)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "A template must hold 1 to %u bytes, not %u",
                  RIDGE_TERMINAL_MAX_TEMPLATE, t->data.len);
      return FALSE;
    }
  if (t->info.format > RIDGE_TPL_ANSI378)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "Unknown template format %u", t->info.format);
      return FALSE;
    }
  if (t->info.finger > 10)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "Finger position %u is not 0..10",
                  t->info.finger);
      return FALSE;
    }
  if (t->info.format == RIDGE_TPL_NATIVE)
    {
      RidgeEnrollTemplate *check = g_new0 (RidgeEnrollTemplate, 1);
      int r = ridge_enroll_deserialize (t->data.ptr, t->data.len, check);
      g_free (check);
      if (r != RIDGE_ENGINE_OK)
        {
          send_error (s, hdr, RIDGE_ERR_MALFORMED, "The template is not a valid Ridge "
                                                   "enrollment template: %s", ridge_engine_strerror (
                        r));
          return FALSE;
        }
    }
  return TRUE;
}

static void
handle_tpl_put (RidgeTerminalSession    *s,
                const RidgeWireHeader   *hdr,
                const RidgeWireTemplate *t)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *user = g_strndup (t->info.user_id.ptr, t->info.user_id.len);
  g_autofree char *name = g_strndup (t->info.name.ptr, t->info.name.len);
  const RidgeTerminalStoreEntry *old = t->info.id ? ridge_terminal_store_lookup (s->term->store,
                                                                                 t->info.id) : NULL;
  const RidgeTerminalStoreEntry *stored;
  RidgeTerminalStoreEntry entry = { 0 };
  RidgeWireMsg msg;

  if (!validate_template (s, hdr, t))
    return;
  entry.id = t->info.id;
  entry.user_id = user;
  entry.name = name;
  entry.finger = t->info.finger;
  entry.samples = t->info.samples;
  entry.quality = t->info.quality;
  entry.format = t->info.format;
  entry.updated_unix_ms = now_unix_ms (s);
  entry.created_unix_ms = old ? old->created_unix_ms
                          : (t->info.created_unix_ms ? t->info.created_unix_ms
                             : entry.updated_unix_ms);
  entry.data = g_bytes_new (t->data.ptr, t->data.len);
  stored = ridge_terminal_store_put (s->term->store, &entry, &error);
  g_bytes_unref (entry.data);
  if (stored == NULL)
    {
      send_gerror (s, hdr, error);
      return;
    }
  g_message ("%s: template %u stored (%zu bytes)", s->peer, stored->id,
             g_bytes_get_size (stored->data));
  fill_template_info (stored, &msg.template_info);
  respond (s, hdr, &msg, RIDGE_WIRE_TEMPLATE_INFO_MAX);
}

static void
handle_tpl_update (RidgeTerminalSession        *s,
                   const RidgeWireHeader       *hdr,
                   const RidgeWireTemplateInfo *info)
{
  g_autoptr (GError) error = NULL;
  const RidgeTerminalStoreEntry *old = ridge_terminal_store_lookup (s->term->store, info->id);
  g_autofree char *user = NULL;
  g_autofree char *name = NULL;
  const RidgeTerminalStoreEntry *stored;
  RidgeTerminalStoreEntry entry;
  RidgeWireMsg msg;

  if (old == NULL)
    {
      send_error (s, hdr, RIDGE_ERR_NOT_FOUND, "There is no template %u", info->id);
      return;
    }
  if (info->finger > 10)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "Finger position %u is not 0..10", info->finger);
      return;
    }
  user = g_strndup (info->user_id.ptr, info->user_id.len);
  name = g_strndup (info->name.ptr, info->name.len);
  entry = *old;
  entry.user_id = user;
  entry.name = name;
  entry.finger = info->finger;
  entry.updated_unix_ms = now_unix_ms (s);
  stored = ridge_terminal_store_put (s->term->store, &entry, &error);
  if (stored == NULL)
    {
      send_gerror (s, hdr, error);
      return;
    }
  fill_template_info (stored, &msg.template_info);
  respond (s, hdr, &msg, RIDGE_WIRE_TEMPLATE_INFO_MAX);
}

static void
handle_tpl_list (RidgeTerminalSession   *s,
                 const RidgeWireHeader  *hdr,
                 const RidgeWireTplList *l)
{
  RidgeTerminalStore *store = s->term->store;
  guint total = ridge_terminal_store_count (store);
  guint max = l->max == 0 ? RIDGE_WIRE_MAX_LIST : MIN (l->max, RIDGE_WIRE_MAX_LIST);
  g_autofree RidgeWireTemplateInfo *items = g_new0 (RidgeWireTemplateInfo, max);
  guint n = 0;
  RidgeWireMsg msg;

  for (guint i = l->offset; i < total && n < max; i++)
    fill_template_info (ridge_terminal_store_nth (store, i), &items[n++]);
  memset (&msg, 0, sizeof msg);
  msg.tpl_list_result.total = total;
  msg.tpl_list_result.n = n;
  msg.tpl_list_result.items = items;
  respond (s, hdr, &msg, 8 + (gsize)n * RIDGE_WIRE_TEMPLATE_INFO_MAX);
}

static void
handle_selftest (RidgeTerminalSession  *s,
                 const RidgeWireHeader *hdr)
{
  RidgeTerminal *term = s->term;
  RidgeWireCheck checks[3];
  g_autofree char *d_sensor = NULL, *d_store = NULL, *d_engine = NULL;
  gboolean present = FALSE;
  RidgeImage *img;
  RidgeWireMsg msg;
  guint n = 0;
  int w, h, dpi;

  /* 1. the sensor gives an image of its size */
  ridge_sensor_get_size (term->sensor, &w, &h, &dpi);
  img = ridge_sensor_read (term->sensor, &term->params, &present);
  if (img == NULL)
    checks[n].passed = 0, d_sensor = g_strdup ("the sensor gave no image");
  else
    {
      checks[n].passed = img->width > 0 && img->height > 0 && img->pixels != NULL;
      d_sensor = g_strdup_printf ("%s: %d×%d image, finger %s", ridge_sensor_describe (
                                    term->sensor),
                                  img->width, img->height, present ? "present" : "absent");
    }
  ridge_sensor_image_free (img);
  checks[n].name = (RidgeWireStr) { "sensor", 6 };
  checks[n].detail = (RidgeWireStr) { d_sensor, MIN (strlen (d_sensor), RIDGE_WIRE_STR_MAX) };
  n++;

  /* 2. the store's folder can be written, synced, read back and cleaned */
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *dir = g_build_filename (term->opts.state_dir, "templates", NULL);
    g_autofree char *path = g_build_filename (dir, ".selftest", NULL);
    g_autofree char *back = NULL;
    char probe[32];
    gsize len = 0;

    g_snprintf (probe, sizeof probe, "selftest %" G_GINT64_FORMAT, g_get_monotonic_time ());
    if (ridge_terminal_write_file_atomic (path, probe, strlen (probe), 0600, &error)
        && g_file_get_contents (path, &back, &len, &error) && len == strlen (probe)
        && memcmp (back, probe, len) == 0)
      {
        checks[n].passed = 1;
        d_store = g_strdup_printf ("%s writable, %u of %u templates", dir,
                                   ridge_terminal_store_count (term->store),
                                   ridge_terminal_store_capacity (term->store));
      }
    else
      {
        checks[n].passed = 0;
        d_store = g_strdup_printf ("%s: %s", dir, error ? error->message : "read back differs");
      }
    g_remove (path);
  }
  checks[n].name = (RidgeWireStr) { "store", 5 };
  checks[n].detail = (RidgeWireStr) { d_store, MIN (strlen (d_store), RIDGE_WIRE_STR_MAX) };
  n++;

  /* 3. the engine extracts minutiae from a known impression */
  {
    RidgeImage *test = ridge_sensor_test_impression (term->sensor);
    if (test == NULL)
      {
        test = g_new0 (RidgeImage, 1);
        if (ridge_synth_impression (1, 0, NULL, test, NULL, 0, NULL) != RIDGE_ENGINE_OK)
          g_clear_pointer (&test, g_free);
      }
    if (test == NULL)
      checks[n].passed = 0, d_engine = g_strdup ("no test impression available");
    else
      {
        g_autoptr (GError) error = NULL;
        RidgeFeatures *f = extract (test, &error);
        if (f == NULL)
          checks[n].passed = 0, d_engine = g_strdup (error->message);
        else
          {
            int nm = ridge_features_n_minutiae (f);
            checks[n].passed = nm >= RIDGE_TERMINAL_MIN_MINUTIAE;
            d_engine = g_strdup_printf ("%s: %d minutiae, quality %d", RIDGE_ENGINE_VERSION, nm,
                                        ridge_features_quality (f));
            ridge_features_free (f);
          }
        ridge_sensor_image_free (test);
      }
  }
  checks[n].name = (RidgeWireStr) { "engine", 6 };
  checks[n].detail = (RidgeWireStr) { d_engine, MIN (strlen (d_engine), RIDGE_WIRE_STR_MAX) };
  n++;

  memset (&msg, 0, sizeof msg);
  msg.selftest.passed = checks[0].passed && checks[1].passed && checks[2].passed;
  msg.selftest.n = n;
  msg.selftest.items = checks;
  g_message ("%s: self-test %s", s->peer, msg.selftest.passed ? "passed" : "FAILED");
  respond (s, hdr, &msg, 1024);
}

static void
fill_params (RidgeTerminal   *term,
             RidgeWireParam   items[3],
             RidgeWireParams *p)
{
  items[0] = (RidgeWireParam) { RIDGE_PARAM_GAIN, { "gain", 4 }, term->params.gain, 25, 400 };
  items[1] = (RidgeWireParam) { RIDGE_PARAM_CONTRAST, { "contrast", 8 }, term->params.contrast,
                                25, 400 };
  items[2] = (RidgeWireParam) { RIDGE_PARAM_LED, { "led", 3 }, term->params.led, 0, 255 };
  memset (p, 0, sizeof *p);
  p->n = 3;
  p->items = items;
}

static void
handle_param_set (RidgeTerminalSession    *s,
                  const RidgeWireHeader   *hdr,
                  const RidgeWireParamSet *set)
{
  RidgeWireParam items[3];
  RidgeWireMsg msg;
  int *target = NULL;

  fill_params (s->term, items, &msg.params);
  for (guint i = 0; i < 3; i++)
    if (items[i].id == set->id)
      {
        if (set->value < items[i].min || set->value > items[i].max)
          {
            send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "%.*s must be between %d and %d, not %d",
                        items[i].name.len, items[i].name.ptr, items[i].min, items[i].max,
                        set->value);
            return;
          }
        target = set->id == RIDGE_PARAM_GAIN ? &s->term->params.gain
                 : set->id == RIDGE_PARAM_CONTRAST ? &s->term->params.contrast
                 : &s->term->params.led;
      }
  if (target == NULL)
    {
      send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "There is no parameter %u", set->id);
      return;
    }
  *target = set->value;
  g_message ("%s: parameter %u set to %d", s->peer, set->id, set->value);
  fill_params (s->term, items, &msg.params);
  respond (s, hdr, &msg, 128);
}

static void
handle_request (RidgeTerminalSession  *s,
                const RidgeWireHeader *hdr,
                const RidgeWireMsg    *in)
{
  RidgeTerminal *term = s->term;
  RidgeWireMsg msg;

  memset (&msg, 0, sizeof msg);
  switch (hdr->type)
    {
      case RIDGE_MSG_HELLO:
        handle_hello (s, hdr, &in->hello);
        break;

      case RIDGE_MSG_GOODBYE:
        respond (s, hdr, NULL, 0);
        g_message ("%s: GOODBYE (reason %u)", s->peer, in->goodbye.reason);
        s->close_after_flush = TRUE;
        session_flush (s);
        break;

      case RIDGE_MSG_PING:
        msg.pong.client_time_us = in->ping.client_time_us;
        msg.pong.terminal_time_us = g_get_monotonic_time ();
        msg.pong.uptime_ms = (g_get_monotonic_time () - term->boot_time_us) / 1000;
        msg.pong.boot_counter = term->boot_counter;
        respond (s, hdr, &msg, 32);
        break;

      case RIDGE_MSG_INFO:
        ridge_terminal_fill_info (term, &msg.info);
        respond (s, hdr, &msg, 1200);
        break;

      case RIDGE_MSG_CAPTURE:
        if (in->capture.flags & RIDGE_CAPTURE_WAIT_FINGER)
          start_op (s, hdr, OP_CAPTURE, in->capture.flags, in->capture.timeout_ms);
        else
          complete_capture (s, hdr, in->capture.flags);
        break;

      case RIDGE_MSG_STREAM_START:
        if (in->stream_start.max_fps > 1000)
          {
            send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "max_fps %u is not 0..1000",
                        in->stream_start.max_fps);
            break;
          }
        s->streaming = TRUE;
        s->credits = in->stream_start.credits;
        s->stream_flags = in->stream_start.flags;
        s->max_fps = in->stream_start.max_fps ? MIN (in->stream_start.max_fps, term->opts.fps)
                   : term->opts.fps;
        s->stream_sent = 0;
        s->stream_dropped = 0;
        s->last_frame_us = 0;
        s->frame_no = 0;
        g_message ("%s: stream starts: %u credits, %u fps", s->peer, s->credits, s->max_fps);
        respond (s, hdr, NULL, 0);
        break;

      case RIDGE_MSG_STREAM_STOP:
        msg.stream_stats.frames_sent = s->stream_sent;
        msg.stream_stats.frames_dropped = s->stream_dropped;
        s->streaming = FALSE;
        s->credits = 0;
        g_message ("%s: stream stops: %u frames sent, %u dropped", s->peer, s->stream_sent,
                   s->stream_dropped);
        respond (s, hdr, &msg, 16);
        break;

      case RIDGE_MSG_ENROLL_BEGIN:
        handle_enroll_begin (s, hdr, &in->enroll_begin);
        break;

      case RIDGE_MSG_ENROLL_COMMIT:
        handle_enroll_commit (s, hdr, &in->enroll_commit);
        break;

      case RIDGE_MSG_ENROLL_CANCEL:
        if (s->enroll.active)
          g_message ("%s: enrollment %u cancelled", s->peer, s->enroll.id);
        enroll_clear (&s->enroll);
        respond (s, hdr, NULL, 0);
        break;

      case RIDGE_MSG_TPL_LIST:
        handle_tpl_list (s, hdr, &in->tpl_list);
        break;

      case RIDGE_MSG_TPL_GET:
        {
          const RidgeTerminalStoreEntry *e =
            ridge_terminal_store_lookup (term->store, in->tpl_id.id);
          if (e == NULL)
            {
              send_error (s, hdr, RIDGE_ERR_NOT_FOUND, "There is no template %u", in->tpl_id.id);
              break;
            }
          fill_template_info (e, &msg.template_.info);
          msg.template_.data.ptr = g_bytes_get_data (e->data, NULL);
          msg.template_.data.len = g_bytes_get_size (e->data);
          respond (s, hdr, &msg, RIDGE_WIRE_TEMPLATE_INFO_MAX + 8 + msg.template_.data.len);
        }
        break;

      case RIDGE_MSG_TPL_PUT:
        handle_tpl_put (s, hdr, &in->template_);
        break;

      case RIDGE_MSG_TPL_DELETE:
        {
          g_autoptr (GError) error = NULL;
          if (!ridge_terminal_store_delete (term->store, in->tpl_id.id, &error))
            send_gerror (s, hdr, error);
          else
            {
              g_message ("%s: template %u deleted", s->peer, in->tpl_id.id);
              respond (s, hdr, NULL, 0);
            }
        }
        break;

      case RIDGE_MSG_TPL_UPDATE:
        handle_tpl_update (s, hdr, &in->template_info);
        break;

      case RIDGE_MSG_TPL_CAPACITY:
      case RIDGE_MSG_TPL_CLEAR:
        if (hdr->type == RIDGE_MSG_TPL_CLEAR)
          {
            g_autoptr (GError) error = NULL;
            if (!ridge_terminal_store_clear (term->store, &error))
              {
                send_gerror (s, hdr, error);
                break;
              }
            g_message ("%s: template store cleared", s->peer);
          }
        msg.tpl_capacity.capacity = ridge_terminal_store_capacity (term->store);
        msg.tpl_capacity.used = ridge_terminal_store_count (term->store);
        respond (s, hdr, &msg, 16);
        break;

      case RIDGE_MSG_VERIFY:
        {
          const RidgeTerminalStoreEntry *e;
          g_autofree char *user = g_strndup (in->verify.user_id.ptr, in->verify.user_id.len);

          if (!ridge_terminal_engine_ready ())
            {
              send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "This terminal's engine cannot match yet");
              break;
            }
          e = in->verify.id ? ridge_terminal_store_lookup (term->store, in->verify.id)
            : ridge_terminal_store_find_user (term->store, user, in->verify.finger);
          if (e == NULL)
            {
              if (in->verify.id)
                send_error (s, hdr, RIDGE_ERR_NOT_FOUND, "There is no template %u", in->verify.id);
              else
                send_error (s, hdr, RIDGE_ERR_NOT_FOUND, "User \"%s\" has no template%s", user,
                            in->verify.finger ? " for that finger" : "");
              break;
            }
          if (e->format != RIDGE_TPL_NATIVE)
            {
              send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "Template %u is not in the native format; "
                                                         "this terminal matches native templates only",
                          e->id);
              break;
            }
          /* by id: that record; by user: all of the user's records, the best one wins */
          s->verify_id = in->verify.id;
          g_free (s->verify_user);
          s->verify_user = g_steal_pointer (&user);
          s->verify_finger = in->verify.finger;
          start_op (s, hdr, OP_VERIFY, 0, in->verify.timeout_ms);
        }
        break;

      case RIDGE_MSG_IDENTIFY:
        if (!ridge_terminal_engine_ready ())
          {
            send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "This terminal's engine cannot match yet");
            break;
          }
        start_op (s, hdr, OP_IDENTIFY, 0, in->identify.timeout_ms);
        break;

      case RIDGE_MSG_SELFTEST:
        handle_selftest (s, hdr);
        break;

      case RIDGE_MSG_PARAM_GET:
        {
          RidgeWireParam items[3];
          fill_params (term, items, &msg.params);
          respond (s, hdr, &msg, 128);
        }
        break;

      case RIDGE_MSG_PARAM_SET:
        handle_param_set (s, hdr, &in->param_set);
        break;

      case RIDGE_MSG_COUNTERS:
        {
          RidgeWireCounter items[RIDGE_N_COUNTERS];
          for (guint i = 0; i < RIDGE_N_COUNTERS; i++)
            {
              items[i].name.ptr = ridge_counter_names[i];
              items[i].name.len = strlen (ridge_counter_names[i]);
              items[i].value = term->counters[i];
            }
          msg.counters.n = RIDGE_N_COUNTERS;
          msg.counters.items = items;
          respond (s, hdr, &msg, RIDGE_N_COUNTERS * 48);
        }
        break;

      case RIDGE_MSG_LOG_FETCH:
        {
          guint64 offset = in->log_fetch.offset, total = 0;
          gsize max = in->log_fetch.max ? in->log_fetch.max : 4096;
          g_autofree char *text = NULL;

          max = MIN (max, MIN (60000u, s->client_max_payload - 64));
          text = ridge_terminal_log_read (&offset, max, &total);
          msg.log.offset = (guint32)MIN (offset, G_MAXUINT32);
          msg.log.total = (guint32)MIN (total, G_MAXUINT32);
          msg.log.text.ptr = text;
          msg.log.text.len = strlen (text);
          respond (s, hdr, &msg, msg.log.text.len + 16);
        }
        break;

      case RIDGE_MSG_TIME_GET:
        msg.time.unix_us = ridge_terminal_wall_time_us (term);
        respond (s, hdr, &msg, 8);
        break;

      case RIDGE_MSG_TIME_SET:
        {
          g_autofree char *path = g_build_filename (term->opts.state_dir, "time-offset", NULL);
          g_autofree char *text = NULL;
          g_autoptr (GError) error = NULL;

          if (in->time.unix_us < 0)
            {
              send_error (s, hdr, RIDGE_ERR_INVALID_ARG, "A time before 1970 is not accepted");
              break;
            }
          term->time_offset_us = in->time.unix_us - g_get_real_time ();
          text = g_strdup_printf ("%" G_GINT64_FORMAT "\n", term->time_offset_us);
          if (!ridge_terminal_write_file_atomic (path, text, strlen (text), 0600, &error))
            g_warning ("Could not keep the clock offset: %s", error->message);
          g_message ("%s: clock set (offset %" G_GINT64_FORMAT " µs)", s->peer,
                     term->time_offset_us);
          msg.time.unix_us = ridge_terminal_wall_time_us (term);
          respond (s, hdr, &msg, 8);
        }
        break;

      case RIDGE_MSG_REBOOT:
        g_message ("%s: REBOOT requested", s->peer);
        respond (s, hdr, NULL, 0);
        s->reboot_after_close = TRUE;
        s->close_after_flush = TRUE;
        session_flush (s);
        break;

      default:
        send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "The terminal does not handle %s requests",
                    ridge_wire_type_name (hdr->type));
        break;
    }
}

static void
handle_frame (RidgeTerminalSession  *s,
              const RidgeWireHeader *hdr,
              const guint8          *payload)
{
  RidgeWireBody body;
  RidgeWireMsg msg;
  int r;

  if (hdr->flags & RIDGE_WIRE_FLAG_RESPONSE)
    return;  /* the terminal asks nothing, so there is nothing to answer */

  if (hdr->flags & RIDGE_WIRE_FLAG_EVENT)
    {
      /* the only client event is STREAM_CREDIT; others, and events before HELLO, are
       * ignored */
      if (hdr->type == RIDGE_MSG_STREAM_CREDIT && s->hello)
        {
          if (ridge_wire_decode (hdr, payload, &msg) == RIDGE_WIRE_OK)
            s->credits = MIN ((guint64)s->credits + msg.stream_credit.credits, 65535u * 4);
          else
            count (s, RIDGE_COUNTER_RX_CORRUPT, 1);
          ridge_terminal_session_tick (s);
        }
      return;
    }
  if (hdr->flags & RIDGE_WIRE_FLAG_SEALED)
    {
      send_error (s, hdr, RIDGE_ERR_AUTH_REQUIRED,
                  "Sealed frames need the security layer, which this terminal does not have");
      return;
    }
  if (ridge_wire_type_name (hdr->type) == NULL)
    {
      send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "Unknown message type 0x%04x", hdr->type);
      return;
    }
  if (!s->hello && hdr->type != RIDGE_MSG_HELLO)
    {
      send_error (s, hdr, RIDGE_ERR_NOT_HELLO, "Send HELLO before %s",
                  ridge_wire_type_name (hdr->type));
      return;
    }

  body = ridge_wire_body_for (hdr->type, hdr->flags);
  if (body == RIDGE_BODY_UNKNOWN || hdr->type == RIDGE_MSG_FRAME
      || hdr->type == RIDGE_MSG_STREAM_CREDIT
      || hdr->type == RIDGE_MSG_FINGER || hdr->type == RIDGE_MSG_ENROLL_SAMPLE
      || hdr->type == RIDGE_MSG_DISCOVER)
    {
      send_error (s, hdr, RIDGE_ERR_UNSUPPORTED, "%s is not a request the terminal serves",
                  ridge_wire_type_name (hdr->type));
      return;
    }
  r = ridge_wire_decode (hdr, payload, &msg);
  if (r != RIDGE_WIRE_OK)
    {
      send_error (s, hdr, RIDGE_ERR_MALFORMED, "The %s payload cannot be decoded: %s",
                  ridge_wire_type_name (hdr->type), ridge_wire_strerror (r));
      return;
    }
  handle_request (s, hdr, &msg);
}

/* ---- read path and lifetime ---------------------------------------------------------- */

static gboolean
on_readable (GSocket     *socket,
             GIOCondition condition,
             gpointer     user_data)
{
  RidgeTerminalSession *s = user_data;
  guint8 buf[16384];
  g_autoptr (GError) error = NULL;
  gssize n;
  size_t off = 0;

  n = g_socket_receive (socket, (char *)buf, sizeof buf, NULL, &error);
  if (n < 0)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        return G_SOURCE_CONTINUE;
      ridge_terminal_session_close (s, error->message);
      return G_SOURCE_REMOVE;
    }
  if (n == 0)
    {
      ridge_terminal_session_close (s, "the client closed the connection");
      return G_SOURCE_REMOVE;
    }
  count (s, RIDGE_COUNTER_BYTES_RECEIVED, n);

  while (off < (size_t)n && !s->closed)
    {
      size_t used = 0;
      RidgeWireDecStatus st = ridge_wire_decoder_feed (&s->dec, buf + off, n - off, &used);

      off += used;
      if (st == RIDGE_WIRE_DEC_FRAME)
        {
          s->last_rx_us = g_get_monotonic_time ();
          if (s->controlling)
            handle_frame (s, &s->dec.header, s->dec.payload);
        }
      else if (st == RIDGE_WIRE_DEC_ERROR)
        {
          count (s, RIDGE_COUNTER_RX_CORRUPT, 1);
          if (s->dec.last_error == RIDGE_WIRE_E_BAD_VERSION)
            {
              g_autofree char *text =
                g_strdup_printf ("The terminal speaks protocol version %u, not %u",
                                 RIDGE_WIRE_VERSION, s->dec.header.version);
              s->last_rx_us = g_get_monotonic_time ();
              if (s->controlling)
                send_error_full (s, s->dec.header.type, s->dec.header.seq, RIDGE_ERR_VERSION,
                                 text);
            }
          else if (s->dec.last_error == RIDGE_WIRE_E_TOO_LARGE)
            g_message ("%s: a frame above %u bytes was skipped", s->peer,
                       RIDGE_TERMINAL_MAX_RX_PAYLOAD);
          else
            g_debug ("%s: corrupt input skipped: %s", s->peer,
                     ridge_wire_strerror (s->dec.last_error));
        }
    }
  return s->closed ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

/* A stalled link reads nothing: the bytes wait in the kernel, as behind a pulled cable. */
static void
arm_input (RidgeTerminalSession *s,
           gboolean              on)
{
  if (on && s->in_source == NULL && !s->closed)
    {
      s->in_source = g_socket_create_source (s->socket, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
      g_source_set_callback (s->in_source, (GSourceFunc)(void (*)(void))on_readable, s, NULL);
      g_source_attach (s->in_source, NULL);
    }
  else if (!on && s->in_source != NULL)
    {
      g_source_destroy (s->in_source);
      g_source_unref (s->in_source);
      s->in_source = NULL;
    }
}

static gboolean
on_idle_check (gpointer user_data)
{
  RidgeTerminalSession *s = user_data;
  gint64 limit = (gint64)s->term->opts.client_timeout_ms * 1000;

  if (g_get_monotonic_time () - s->last_rx_us > limit)
    {
      g_autofree char *why = g_strdup_printf ("the client was silent for %d ms",
                                              s->term->opts.client_timeout_ms);
      s->idle_id = 0;
      ridge_terminal_session_close (s, why);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
free_session (gpointer data)
{
  RidgeTerminalSession *s = data;

  g_queue_clear_full (&s->out, (GDestroyNotify)out_chunk_free);
  enroll_clear (&s->enroll);
  g_free (s->verify_user);
  g_clear_object (&s->conn);
  g_free (s->rx_buf);
  g_free (s->peer);
  g_free (s);
  return G_SOURCE_REMOVE;
}

RidgeTerminalSession *
ridge_terminal_session_new (RidgeTerminal     *term,
                            GSocketConnection *conn,
                            gboolean           busy)
{
  RidgeTerminalSession *s = g_new0 (RidgeTerminalSession, 1);
  g_autoptr (GSocketAddress) addr = NULL;

  s->term = term;
  s->conn = g_object_ref (conn);
  s->socket = g_socket_connection_get_socket (conn);
  g_socket_set_blocking (s->socket, FALSE);
  g_socket_set_keepalive (s->socket, TRUE);
  g_socket_set_option (s->socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* protocol.md 2.1: idle 10 s, interval 5 s, 3 probes */
  g_socket_set_option (s->socket, IPPROTO_TCP, TCP_KEEPIDLE, 10, NULL);
  g_socket_set_option (s->socket, IPPROTO_TCP, TCP_KEEPINTVL, 5, NULL);
  g_socket_set_option (s->socket, IPPROTO_TCP, TCP_KEEPCNT, 3, NULL);
  s->controlling = !busy;
  s->client_max_payload = 4096;  /* until HELLO says more */
  s->last_rx_us = g_get_monotonic_time ();
  s->tokens_time = s->last_rx_us;
  g_queue_init (&s->out);

  addr = g_socket_get_remote_address (s->socket, NULL);
  if (G_IS_INET_SOCKET_ADDRESS (addr))
    {
      g_autofree char *ip = g_inet_address_to_string (
        g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
      guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (addr));
      if (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr))
          && g_inet_address_get_family (g_inet_socket_address_get_address (
                                          G_INET_SOCKET_ADDRESS (addr))) == G_SOCKET_FAMILY_IPV6)
        s->peer = g_strdup_printf ("[%s]:%u", ip, port);
      else
        s->peer = g_strdup_printf ("%s:%u", ip, port);
    }
  else
    s->peer = g_strdup ("unknown peer");

  s->rx_buf = g_malloc (RIDGE_TERMINAL_MAX_RX_PAYLOAD);
  ridge_wire_decoder_init (&s->dec, s->rx_buf, RIDGE_TERMINAL_MAX_RX_PAYLOAD);

  arm_input (s, !term->faults.stall);

  if (busy)
    {
      RidgeTerminalSession *holder = term->session;
      g_autofree char *text = g_strdup_printf ("terminal is in use by %s",
                                               holder ? holder->peer : "another client");
      count (s, RIDGE_COUNTER_BUSY_REJECTS, 1);
      g_message ("%s: refused: %s", s->peer, text);
      /* the client has sent nothing yet: the answer carries seq 0 and type HELLO */
      send_error_full (s, RIDGE_MSG_HELLO, 0, RIDGE_ERR_BUSY, text);
      s->close_after_flush = TRUE;
      session_flush (s);
      /* a stalled link must not keep it forever */
      s->idle_id = g_timeout_add_seconds (2, on_idle_check, s);
    }
  else
    {
      count (s, RIDGE_COUNTER_CONNECTIONS, 1);
      g_message ("%s: connected", s->peer);
      s->idle_id = g_timeout_add (MAX (50, term->opts.client_timeout_ms / 10), on_idle_check, s);
    }
  return s;
}

void
ridge_terminal_session_close (RidgeTerminalSession *s,
                              const char           *why)
{
  RidgeTerminal *term = s->term;
  gboolean reboot = s->reboot_after_close;

  if (s->closed)
    return;
  s->closed = TRUE;
  if (s->controlling)
    g_message ("%s: disconnected%s%s", s->peer, why ? ": " : "", why ? why : "");
  arm_input (s, FALSE);
  g_clear_pointer (&s->out_source, g_source_destroy);
  g_clear_handle_id (&s->out_timer, g_source_remove);
  g_clear_handle_id (&s->idle_id, g_source_remove);
  g_io_stream_close (G_IO_STREAM (s->conn), NULL, NULL);
  if (term->session == s)
    term->session = NULL;
  g_idle_add (free_session, s);
  if (reboot)
    ridge_terminal_reboot (term);
}

/* The terminal shuts down: a GOODBYE request (reason 1) goes out if the link takes it. */
void
ridge_terminal_session_say_goodbye (RidgeTerminalSession *s)
{
  RidgeWireMsg msg;

  if (s->closed || !s->hello)
    return;
  memset (&msg, 0, sizeof msg);
  msg.goodbye.reason = 1;
  send_msg (s, RIDGE_MSG_GOODBYE, 0, ++s->event_seq, &msg, 8);
}

const char *
ridge_terminal_session_peer (RidgeTerminalSession *s)
{
  return s->peer;
}

char *
ridge_terminal_session_status (RidgeTerminalSession *s)
{
  return g_strdup_printf ("client=%s hello=%s stream=%s credits=%u sent=%u dropped=%u "
                          "queued=%zu enroll=%s",
                          s->peer, s->hello ? "yes" : "no", s->streaming ? "on" : "off",
                          s->credits, s->stream_sent, s->stream_dropped, s->out_bytes,
                          s->enroll.active ? "active" : "none");
}
