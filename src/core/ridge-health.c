/* ridge-health.c — per-link health statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-health.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  gint64  second;     /* -1: never used */
  guint   rtt_count;
  gint64  rtt_sum;
  gint64  rtt_min;
  gint64  rtt_max;
  gint32  rtt[RIDGE_HEALTH_RTT_PER_SLOT]; /* the last samples of the second */
  double  jitter;
  guint   pings_sent;
  guint   pings_lost;
  guint64 bytes_in;
  guint64 bytes_out;
  guint   counters[RIDGE_HEALTH_N_COUNTERS];
  gint64  tcp_rtt;
  gint64  tcp_rttvar;
  gint64  tcp_retrans;
  gint64  tcp_lost;
  guint   tcp_retrans_delta;
} Slot;

struct _RidgeHealth {
  GObject parent_instance;

  Slot  *slots;
  gint64 newest;              /* newest second recorded, -1 */
  gint64 oldest;              /* oldest second recorded, -1 */

  /* overall */
  RidgeHealthSummary sum;
  guint64            rtt_n;
  double             rtt_mean;
  double             rtt_m2;
  gint64             prev_rtt;     /* for the jitter, -1 */
  gint64             prev_retrans; /* last tcpi_total_retrans, -1 */

  RidgeHealthEvent events[RIDGE_HEALTH_EVENTS_MAX];
  guint            ev_head;    /* index of the oldest */
  guint            ev_count;
};

G_DEFINE_FINAL_TYPE (RidgeHealth, ridge_health, G_TYPE_OBJECT);

enum {
  SIGNAL_EVENT_LOGGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
clear_events (RidgeHealth *self)
{
  for (guint i = 0; i < self->ev_count; i++)
    g_clear_pointer (&self->events[(self->ev_head + i) % RIDGE_HEALTH_EVENTS_MAX].message,
                     g_free);
  self->ev_head = 0;
  self->ev_count = 0;
}

static void
ridge_health_finalize (GObject *object)
{
  RidgeHealth *self = RIDGE_HEALTH (object);

  clear_events (self);
  g_free (self->slots);
  G_OBJECT_CLASS (ridge_health_parent_class)->finalize (object);
}

static void
ridge_health_class_init (RidgeHealthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ridge_health_finalize;

  /**
   * RidgeHealth::event-logged:
   * @index: the event's index (ridge_health_get_event())
   */
  signals[SIGNAL_EVENT_LOGGED] =
    g_signal_new ("event-logged", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

void
ridge_health_reset (RidgeHealth *self)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));

  for (guint i = 0; i < RIDGE_HEALTH_SLOTS; i++)
    self->slots[i].second = -1;
  self->newest = -1;
  self->oldest = -1;
  memset (&self->sum, 0, sizeof self->sum);
  self->sum.rtt_last = -1;
  self->sum.rtt_best = -1;
  self->sum.rtt_worst = -1;
  self->sum.last_detect_us = -1;
  self->rtt_n = 0;
  self->rtt_mean = 0;
  self->rtt_m2 = 0;
  self->prev_rtt = -1;
  self->prev_retrans = -1;
  clear_events (self);
}

static void
ridge_health_init (RidgeHealth *self)
{
  self->slots = g_new0 (Slot, RIDGE_HEALTH_SLOTS);
  ridge_health_reset (self);
}

RidgeHealth *
ridge_health_new (void)
{
  return g_object_new (RIDGE_TYPE_HEALTH, NULL);
}

static gint64
second_of (gint64 now_us)
{
  /* floor division, also for negative fake clocks */
  return now_us >= 0 ? now_us / G_USEC_PER_SEC : -((-now_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
}

/* The slot of now's second, reset when it last held an older second. Times going backwards
 * beyond the ring are folded into the newest slot. */
static Slot *
slot_for (RidgeHealth *self,
          gint64       now_us)
{
  gint64 s = second_of (now_us);
  Slot *slot;

  if (self->newest >= 0 && s < self->newest - (gint64)RIDGE_HEALTH_SLOTS + 1)
    s = self->newest;
  if (self->newest < 0)
    self->oldest = s;
  if (s > self->newest)
    {
      self->newest = s;
      if (self->oldest < s - (gint64)RIDGE_HEALTH_SLOTS + 1)
        self->oldest = s - (gint64)RIDGE_HEALTH_SLOTS + 1;
    }
  if (s < self->oldest)
    self->oldest = s;

  slot = &self->slots[(guint64)s % RIDGE_HEALTH_SLOTS];
  if (slot->second != s)
    {
      memset (slot, 0, sizeof *slot);
      slot->second = s;
      slot->rtt_min = -1;
      slot->rtt_max = -1;
      slot->jitter = self->sum.jitter_us;
      slot->tcp_rtt = slot->tcp_rttvar = slot->tcp_retrans = slot->tcp_lost = -1;
    }
  return slot;
}

void
ridge_health_record_ping_sent (RidgeHealth *self,
                               gint64       now_us)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));

  slot_for (self, now_us)->pings_sent++;
  self->sum.pings_sent++;
}

double
ridge_health_jitter_step (double jitter,
                          gint64 previous_transit,
                          gint64 transit)
{
  double d = fabs ((double)(transit - previous_transit));

  return jitter + (d - jitter) / 16.0;
}

void
ridge_health_record_rtt (RidgeHealth *self,
                         gint64       now_us,
                         gint64       rtt_us)
{
  Slot *slot;
  double delta;

  g_return_if_fail (RIDGE_IS_HEALTH (self));
  g_return_if_fail (rtt_us >= 0);

  slot = slot_for (self, now_us);
  slot->rtt[slot->rtt_count % RIDGE_HEALTH_RTT_PER_SLOT] = (gint32)MIN (rtt_us, G_MAXINT32);
  slot->rtt_count++;
  slot->rtt_sum += rtt_us;
  if (slot->rtt_min < 0 || rtt_us < slot->rtt_min)
    slot->rtt_min = rtt_us;
  if (rtt_us > slot->rtt_max)
    slot->rtt_max = rtt_us;

  if (self->prev_rtt >= 0)
    self->sum.jitter_us = ridge_health_jitter_step (self->sum.jitter_us, self->prev_rtt, rtt_us);
  self->prev_rtt = rtt_us;
  slot->jitter = self->sum.jitter_us;

  self->sum.pings_received++;
  self->sum.rtt_last = rtt_us;
  if (self->sum.rtt_best < 0 || rtt_us < self->sum.rtt_best)
    self->sum.rtt_best = rtt_us;
  if (rtt_us > self->sum.rtt_worst)
    self->sum.rtt_worst = rtt_us;

  /* Welford */
  self->rtt_n++;
  delta = (double)rtt_us - self->rtt_mean;
  self->rtt_mean += delta / (double)self->rtt_n;
  self->rtt_m2 += delta * ((double)rtt_us - self->rtt_mean);
}

void
ridge_health_record_ping_lost (RidgeHealth *self,
                               gint64       now_us)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));

  slot_for (self, now_us)->pings_lost++;
  self->sum.pings_lost++;
}

void
ridge_health_record_bytes (RidgeHealth *self,
                           gint64       now_us,
                           guint64      bytes_in,
                           guint64      bytes_out)
{
  Slot *slot;

  g_return_if_fail (RIDGE_IS_HEALTH (self));

  slot = slot_for (self, now_us);
  slot->bytes_in += bytes_in;
  slot->bytes_out += bytes_out;
  self->sum.bytes_in += bytes_in;
  self->sum.bytes_out += bytes_out;
}

void
ridge_health_add (RidgeHealth       *self,
                  gint64             now_us,
                  RidgeHealthCounter counter,
                  guint              n)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));
  g_return_if_fail (counter < RIDGE_HEALTH_N_COUNTERS);

  if (n == 0)
    return;
  slot_for (self, now_us)->counters[counter] += n;
  switch (counter)
    {
      case RIDGE_HEALTH_CRC_ERRORS: self->sum.crc_errors += n; break;
      case RIDGE_HEALTH_RESYNCS: self->sum.resyncs += n; break;
      case RIDGE_HEALTH_FRAMES: self->sum.frames += n; break;
      case RIDGE_HEALTH_FRAMES_DROPPED: self->sum.frames_dropped += n; break;
      case RIDGE_HEALTH_RECONNECTS: self->sum.reconnects += n; break;
      case RIDGE_HEALTH_USB_ERRORS: self->sum.usb_errors += n; break;
      case RIDGE_HEALTH_USB_TIMEOUTS: self->sum.usb_timeouts += n; break;
      case RIDGE_HEALTH_USB_STALLS: self->sum.usb_stalls += n; break;
      case RIDGE_HEALTH_USB_RESETS: self->sum.usb_resets += n; break;
      case RIDGE_HEALTH_N_COUNTERS:
      default: g_assert_not_reached ();
    }
}

void
ridge_health_record_tcp_info (RidgeHealth *self,
                              gint64       now_us,
                              gint64       rtt_us,
                              gint64       rttvar_us,
                              gint64       total_retrans,
                              gint64       lost)
{
  Slot *slot;

  g_return_if_fail (RIDGE_IS_HEALTH (self));

  slot = slot_for (self, now_us);
  slot->tcp_rtt = rtt_us;
  slot->tcp_rttvar = rttvar_us;
  slot->tcp_retrans = total_retrans;
  slot->tcp_lost = lost;
  if (total_retrans >= 0)
    {
      /* the first sample, or a smaller total (a new socket counting from 0 again): the
       * whole total is new */
      gint64 delta = self->prev_retrans >= 0 && total_retrans >= self->prev_retrans
                     ? total_retrans - self->prev_retrans : total_retrans;

      slot->tcp_retrans_delta += (guint)MIN (delta, G_MAXUINT32);
      self->sum.tcp_retrans += (guint64)delta;
      self->prev_retrans = total_retrans;
    }
}

static void
log_event_literal (RidgeHealth         *self,
                   gint64               now_us,
                   RidgeHealthEventKind kind,
                   char                *message)
{
  RidgeHealthEvent *ev;
  guint index;

  if (self->ev_count == RIDGE_HEALTH_EVENTS_MAX)
    {
      g_free (self->events[self->ev_head].message);
      self->ev_head = (self->ev_head + 1) % RIDGE_HEALTH_EVENTS_MAX;
      self->ev_count--;
    }
  index = self->ev_count;
  ev = &self->events[(self->ev_head + index) % RIDGE_HEALTH_EVENTS_MAX];
  ev->time_us = now_us;
  ev->wall_us = g_get_real_time ();
  ev->kind = kind;
  ev->message = message;
  self->ev_count++;
  g_signal_emit (self, signals[SIGNAL_EVENT_LOGGED], 0, index);
}

void
ridge_health_log_event (RidgeHealth         *self,
                        gint64               now_us,
                        RidgeHealthEventKind kind,
                        const char          *format,
                        ...)
{
  va_list args;
  char *message;

  g_return_if_fail (RIDGE_IS_HEALTH (self));

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  log_event_literal (self, now_us, kind, message);
}

void
ridge_health_record_loss_detected (RidgeHealth *self,
                                   gint64       now_us,
                                   gint64       detect_us)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));

  self->sum.last_detect_us = detect_us;
  ridge_health_log_event (self, now_us, RIDGE_HEALTH_EVENT_LOSS,
                          "link lost, detected %.1f s after the last answer",
                          (double)detect_us / G_USEC_PER_SEC);
}

void
ridge_health_record_reboot (RidgeHealth *self,
                            gint64       now_us,
                            guint32      old_boot,
                            guint32      new_boot)
{
  g_return_if_fail (RIDGE_IS_HEALTH (self));

  self->sum.reboots++;
  ridge_health_log_event (self, now_us, RIDGE_HEALTH_EVENT_REBOOT,
                          "terminal rebooted (boot counter %u → %u)", old_boot, new_boot);
}

void
ridge_health_get_summary (RidgeHealth        *self,
                          RidgeHealthSummary *out)
{
  guint64 answered;

  g_return_if_fail (RIDGE_IS_HEALTH (self));
  g_return_if_fail (out != NULL);

  *out = self->sum;
  answered = self->sum.pings_received + self->sum.pings_lost;
  out->loss_percent = answered ? 100.0 * (double)self->sum.pings_lost / (double)answered : 0.0;
  out->rtt_avg = self->rtt_n ? self->rtt_mean : 0.0;
  out->rtt_stdev = self->rtt_n > 1 ? sqrt (self->rtt_m2 / (double)(self->rtt_n - 1)) : 0.0;
}

gint64
ridge_health_get_newest_second (RidgeHealth *self)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH (self), -1);
  return self->newest;
}

guint
ridge_health_get_n_seconds (RidgeHealth *self)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH (self), 0);

  if (self->newest < 0)
    return 0;
  return (guint)(self->newest - self->oldest + 1);
}

static int
cmp_i64 (const void *a,
         const void *b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;

  return (x > y) - (x < y);
}

gint64
ridge_health_percentile (const gint64 *sorted,
                         guint         n,
                         double        p)
{
  double rank;
  guint idx;

  if (n == 0)
    return -1;
  /* nearest rank: the smallest value with at least p% of the samples at or below it */
  rank = ceil (p / 100.0 * (double)n);
  idx = rank < 1 ? 0 : (guint)rank - 1;
  return sorted[MIN (idx, n - 1)];
}

gint64
ridge_health_median (const gint64 *sorted,
                     guint         n)
{
  if (n == 0)
    return -1;
  if (n % 2)
    return sorted[n / 2];
  return (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

gboolean
ridge_health_get_second (RidgeHealth       *self,
                         gint64             second,
                         RidgeHealthSecond *out)
{
  const Slot *slot;
  gint64 sorted[RIDGE_HEALTH_RTT_PER_SLOT];
  guint n;

  g_return_val_if_fail (RIDGE_IS_HEALTH (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->second = second;
  out->rtt_min = out->rtt_avg = out->rtt_median = out->rtt_p95 = out->rtt_max = -1;
  out->tcp_rtt_us = out->tcp_rttvar_us = out->tcp_total_retrans = out->tcp_lost = -1;

  if (self->newest < 0 || second > self->newest || second < self->oldest || second < 0)
    return FALSE;
  slot = &self->slots[(guint64)second % RIDGE_HEALTH_SLOTS];
  if (slot->second != second)
    {
      /* an idle second inside the ring: carry the jitter estimate */
      out->jitter_us = self->sum.jitter_us;
      return TRUE;
    }

  out->rtt_count = slot->rtt_count;
  if (slot->rtt_count > 0)
    {
      n = MIN (slot->rtt_count, RIDGE_HEALTH_RTT_PER_SLOT);
      for (guint i = 0; i < n; i++)
        sorted[i] = slot->rtt[i];
      qsort (sorted, n, sizeof sorted[0], cmp_i64);
      out->rtt_min = slot->rtt_min;
      out->rtt_max = slot->rtt_max;
      out->rtt_avg = slot->rtt_sum / slot->rtt_count;
      out->rtt_median = ridge_health_median (sorted, n);
      out->rtt_p95 = ridge_health_percentile (sorted, n, 95);
    }
  out->jitter_us = slot->jitter;
  out->pings_sent = slot->pings_sent;
  out->pings_lost = slot->pings_lost;
  out->bytes_in = slot->bytes_in;
  out->bytes_out = slot->bytes_out;
  out->frames = slot->counters[RIDGE_HEALTH_FRAMES];
  out->frames_dropped = slot->counters[RIDGE_HEALTH_FRAMES_DROPPED];
  out->crc_errors = slot->counters[RIDGE_HEALTH_CRC_ERRORS];
  out->resyncs = slot->counters[RIDGE_HEALTH_RESYNCS];
  out->reconnects = slot->counters[RIDGE_HEALTH_RECONNECTS];
  out->usb_errors = slot->counters[RIDGE_HEALTH_USB_ERRORS];
  out->usb_timeouts = slot->counters[RIDGE_HEALTH_USB_TIMEOUTS];
  out->usb_stalls = slot->counters[RIDGE_HEALTH_USB_STALLS];
  out->usb_resets = slot->counters[RIDGE_HEALTH_USB_RESETS];
  out->tcp_rtt_us = slot->tcp_rtt;
  out->tcp_rttvar_us = slot->tcp_rttvar;
  out->tcp_total_retrans = slot->tcp_retrans;
  out->tcp_lost = slot->tcp_lost;
  out->tcp_retrans = slot->tcp_retrans_delta;
  return TRUE;
}

guint
ridge_health_get_n_events (RidgeHealth *self)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH (self), 0);
  return self->ev_count;
}

const RidgeHealthEvent *
ridge_health_get_event (RidgeHealth *self,
                        guint        index)
{
  g_return_val_if_fail (RIDGE_IS_HEALTH (self), NULL);
  g_return_val_if_fail (index < self->ev_count, NULL);
  return &self->events[(self->ev_head + index) % RIDGE_HEALTH_EVENTS_MAX];
}

const char *
ridge_health_event_kind_to_string (RidgeHealthEventKind kind)
{
  switch (kind)
    {
      case RIDGE_HEALTH_EVENT_STATE: return "state";
      case RIDGE_HEALTH_EVENT_RECONNECT: return "reconnect";
      case RIDGE_HEALTH_EVENT_REBOOT: return "reboot";
      case RIDGE_HEALTH_EVENT_RESYNC: return "resync";
      case RIDGE_HEALTH_EVENT_LOSS: return "loss";
      case RIDGE_HEALTH_EVENT_ERROR: return "error";
      default: return "unknown";
    }
}

static void
csv_i64 (GString *s,
         gint64   v)
{
  if (v >= 0)
    g_string_append_printf (s, ",%" G_GINT64_FORMAT, v);
  else
    g_string_append_c (s, ',');
}

char *
ridge_health_to_csv (RidgeHealth *self)
{
  GString *s;

  g_return_val_if_fail (RIDGE_IS_HEALTH (self), NULL);

  s = g_string_new ("second,rtt_count,rtt_min_us,rtt_avg_us,rtt_median_us,rtt_p95_us,"
                    "rtt_max_us,jitter_us,pings_sent,pings_lost,bytes_in,bytes_out,frames,"
                    "frames_dropped,crc_errors,resyncs,reconnects,tcp_rtt_us,tcp_rttvar_us,"
                    "tcp_total_retrans,tcp_lost,tcp_retrans,usb_errors,usb_timeouts,usb_stalls,"
                    "usb_resets\n");
  if (self->newest < 0)
    return g_string_free (s, FALSE);
  for (gint64 sec = self->oldest; sec <= self->newest; sec++)
    {
      RidgeHealthSecond h;

      ridge_health_get_second (self, sec, &h);
      g_string_append_printf (s, "%" G_GINT64_FORMAT ",%u", sec, h.rtt_count);
      csv_i64 (s, h.rtt_min);
      csv_i64 (s, h.rtt_avg);
      csv_i64 (s, h.rtt_median);
      csv_i64 (s, h.rtt_p95);
      csv_i64 (s, h.rtt_max);
      g_string_append_printf (s, ",%.1f,%u,%u,%" G_GUINT64_FORMAT ",%" G_GUINT64_FORMAT
                              ",%u,%u,%u,%u,%u", h.jitter_us, h.pings_sent, h.pings_lost,
                              h.bytes_in, h.bytes_out, h.frames, h.frames_dropped,
                              h.crc_errors, h.resyncs, h.reconnects);
      csv_i64 (s, h.tcp_rtt_us);
      csv_i64 (s, h.tcp_rttvar_us);
      csv_i64 (s, h.tcp_total_retrans);
      csv_i64 (s, h.tcp_lost);
      g_string_append_printf (s, ",%u,%u,%u,%u,%u\n", h.tcp_retrans, h.usb_errors, h.usb_timeouts,
                              h.usb_stalls,
                              h.usb_resets);
    }
  return g_string_free (s, FALSE);
}
