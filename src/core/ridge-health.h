/* ridge-health.h — per-link health statistics (pure: fed with timestamps, no sockets)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeHealth keeps one slot per second in a ring of RIDGE_HEALTH_SLOTS (a bit more than an
 * hour), an overall mtr-like summary and a bounded event log. Every recording function takes
 * the monotonic time in microseconds, so tests can feed fake clocks.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define RIDGE_HEALTH_SLOTS          3660u /* seconds kept: one hour and one minute */
#define RIDGE_HEALTH_RTT_PER_SLOT   16u   /* RTT samples kept per second for median/p95 */
#define RIDGE_HEALTH_EVENTS_MAX     1024u

/* One second of the link. Times in microseconds; -1 where nothing was measured. */
typedef struct {
  gint64  second;            /* monotonic time / 1e6 */
  guint   rtt_count;
  gint64  rtt_min;
  gint64  rtt_avg;
  gint64  rtt_median;
  gint64  rtt_p95;
  gint64  rtt_max;
  double  jitter_us;         /* RFC 3550 estimate at the end of this second */
  guint   pings_sent;
  guint   pings_lost;
  guint64 bytes_in;
  guint64 bytes_out;
  guint   frames;
  guint   frames_dropped;
  guint   crc_errors;
  guint   resyncs;
  guint   reconnects;
  /* USB links (RidgeUsbConnector): transfers that failed, OUT timeouts, stalls, link
   * resets (SET_INTERFACE + CLEAR_HALT at each open); 0 on TCP */
  guint usb_errors;
  guint usb_timeouts;
  guint usb_stalls;
  guint usb_resets;
  /* Linux TCP_INFO, last sample of the second (-1 when not sampled) */
  gint64 tcp_rtt_us;
  gint64 tcp_rttvar_us;
  gint64 tcp_total_retrans;
  gint64 tcp_lost;
  /* kernel retransmits counted in this second: the growth of tcpi_total_retrans since the
   * previous TCP_INFO sample (a new connection starts again from its own total) */
  guint tcp_retrans;
} RidgeHealthSecond;

/* Totals since creation (or the last reset). */
typedef struct {
  guint64 pings_sent;
  guint64 pings_received;
  guint64 pings_lost;
  double  loss_percent;      /* lost / (received + lost) */
  gint64  rtt_last;          /* -1 before the first sample */
  double  rtt_avg;
  gint64  rtt_best;
  gint64  rtt_worst;
  double  rtt_stdev;         /* sample standard deviation (n - 1) */
  double  jitter_us;
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 frames;
  guint64 frames_dropped;
  guint64 crc_errors;
  guint64 resyncs;
  guint64 reconnects;
  guint64 reboots;
  guint64 usb_errors;
  guint64 usb_timeouts;
  guint64 usb_stalls;
  guint64 usb_resets;
  guint64 tcp_retrans;       /* sum of the per-second tcp_retrans */
  gint64  last_detect_us;    /* time to detect the last loss, -1 if none */
} RidgeHealthSummary;

typedef enum {
  RIDGE_HEALTH_EVENT_STATE,     /* session state change */
  RIDGE_HEALTH_EVENT_RECONNECT, /* a reconnect succeeded */
  RIDGE_HEALTH_EVENT_REBOOT,    /* the terminal's boot counter changed */
  RIDGE_HEALTH_EVENT_RESYNC,    /* the decoder skipped corrupt bytes */
  RIDGE_HEALTH_EVENT_LOSS,      /* link declared lost (detail holds the detection time) */
  RIDGE_HEALTH_EVENT_ERROR,
} RidgeHealthEventKind;

typedef struct {
  gint64               time_us;  /* monotonic */
  gint64               wall_us;  /* g_get_real_time() when logged */
  RidgeHealthEventKind kind;
  char                *message;
} RidgeHealthEvent;

typedef enum {
  RIDGE_HEALTH_CRC_ERRORS,
  RIDGE_HEALTH_RESYNCS,
  RIDGE_HEALTH_FRAMES,
  RIDGE_HEALTH_FRAMES_DROPPED,
  RIDGE_HEALTH_RECONNECTS,
  RIDGE_HEALTH_USB_ERRORS,
  RIDGE_HEALTH_USB_TIMEOUTS,
  RIDGE_HEALTH_USB_STALLS,
  RIDGE_HEALTH_USB_RESETS,
  RIDGE_HEALTH_N_COUNTERS
} RidgeHealthCounter;

#define RIDGE_TYPE_HEALTH (ridge_health_get_type ())
G_DECLARE_FINAL_TYPE (RidgeHealth, ridge_health, RIDGE, HEALTH, GObject)

RidgeHealth *ridge_health_new (void);
void         ridge_health_reset (RidgeHealth *self);

void         ridge_health_record_ping_sent (RidgeHealth *self,
                                            gint64       now_us);
void         ridge_health_record_rtt (RidgeHealth *self,
                                      gint64       now_us,
                                      gint64       rtt_us);
void         ridge_health_record_ping_lost (RidgeHealth *self,
                                            gint64       now_us);
void         ridge_health_record_bytes (RidgeHealth *self,
                                        gint64       now_us,
                                        guint64      bytes_in,
                                        guint64      bytes_out);
void         ridge_health_add (RidgeHealth       *self,
                               gint64             now_us,
                               RidgeHealthCounter counter,
                               guint              n);
void         ridge_health_record_tcp_info (RidgeHealth *self,
                                           gint64       now_us,
                                           gint64       rtt_us,
                                           gint64       rttvar_us,
                                           gint64       total_retrans,
                                           gint64       lost);
void         ridge_health_record_loss_detected (RidgeHealth *self,
                                                gint64       now_us,
                                                gint64       detect_us);
void         ridge_health_record_reboot (RidgeHealth *self,
                                         gint64       now_us,
                                         guint32      old_boot,
                                         guint32      new_boot);
void         ridge_health_log_event (RidgeHealth         *self,
                                     gint64               now_us,
                                     RidgeHealthEventKind kind,
                                     const char          *format,
                                     ...) G_GNUC_PRINTF (4, 5);

void         ridge_health_get_summary (RidgeHealth        *self,
                                       RidgeHealthSummary *out);
/* The newest second recorded, or -1. */
gint64       ridge_health_get_newest_second (RidgeHealth *self);
/* Seconds covered by the ring: newest - oldest + 1, at most RIDGE_HEALTH_SLOTS. */
guint        ridge_health_get_n_seconds (RidgeHealth *self);
/* Fills out for that second; returns FALSE when it is outside the ring (out is zeroed
 * with every RTT at -1, i.e. an idle second). */
gboolean     ridge_health_get_second (RidgeHealth       *self,
                                      gint64             second,
                                      RidgeHealthSecond *out);
guint        ridge_health_get_n_events (RidgeHealth *self);
/* index 0 is the oldest event still kept. */
const RidgeHealthEvent *ridge_health_get_event (RidgeHealth *self,
                                                guint        index);
/* One line per second of the ring, oldest first, with a header line. */
char        *ridge_health_to_csv (RidgeHealth *self);
const char  *ridge_health_event_kind_to_string (RidgeHealthEventKind kind);

/* Pure helpers, exposed for tests: percentile by nearest rank (p in 0..100) and the
 * median (mean of the two middle values) of a sorted array. */
gint64       ridge_health_percentile (const gint64 *sorted,
                                      guint         n,
                                      double        p);
gint64       ridge_health_median (const gint64 *sorted,
                                  guint         n);
/* One RFC 3550 jitter step: J += (|D| - J) / 16. */
double       ridge_health_jitter_step (double jitter,
                                       gint64 previous_transit,
                                       gint64 transit);

G_END_DECLS
