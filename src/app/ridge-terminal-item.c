/* ridge-terminal-item.c — one terminal of the sidebar: address, link state, health ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-terminal-item"

#include "config.h"

#include "ridge-terminal-item.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "core/ridge-session.h"
#include "core/ridge-stream.h"
#include "core/ridge-usb.h"

/* live stream: frames in flight and the rate asked from the terminal */
#define STREAM_CREDITS 4
#define STREAM_MAX_FPS 15

struct _RidgeTerminalItem {
  GObject            parent_instance;
  char              *address;
  RidgeTerminalState state;
  char              *status;
  double             rtt_ms;
  RidgeSampleRing   *ring;

  RidgeSession      *session;
  RidgeStream       *stream;
  GCancellable      *cancellable;
  gboolean           want_stream;
  gboolean           stream_starting;
  guint              health_id;
  gint64             last_second;               /* newest health second already in the ring */
  gint64             pushed_second;             /* the second of the newest sample pushed, -1 */
  double             acc[RIDGE_CHART_N_SERIES]; /* counts of seconds not pushed yet */
  RidgeTerminalState last_state;
};

G_DEFINE_FINAL_TYPE (RidgeTerminalItem, ridge_terminal_item, G_TYPE_OBJECT);

G_DEFINE_ENUM_TYPE (RidgeTerminalState, ridge_terminal_state,
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_READY, "ready"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_DEGRADED, "degraded"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_LOST, "lost"),
                    G_DEFINE_ENUM_VALUE (RIDGE_TERMINAL_STATE_RECONNECTING, "reconnecting"));

enum {
  HEALTH_CHANGED,
  FRAME,
  INFO_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

enum {
  PROP_0,
  PROP_ADDRESS,
  PROP_STATE,
  PROP_STATUS,
  PROP_ICON_NAME,
  PROP_RTT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

const char *
ridge_terminal_state_to_string (RidgeTerminalState state)
{
  switch (state)
    {
      case RIDGE_TERMINAL_STATE_DISCONNECTED: return _ ("Not connected");
      case RIDGE_TERMINAL_STATE_CONNECTING: return _ ("Connecting…");
      case RIDGE_TERMINAL_STATE_READY: return _ ("Ready");
      case RIDGE_TERMINAL_STATE_DEGRADED: return _ ("Degraded: answers are slow or lost");
      case RIDGE_TERMINAL_STATE_LOST: return _ ("Connection lost");
      case RIDGE_TERMINAL_STATE_RECONNECTING: return _ ("Reconnecting…");
      default: return _ ("Unknown state");
    }
}

static void
ridge_terminal_item_dispose (GObject *object)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  ridge_terminal_item_disconnect (self);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (ridge_terminal_item_parent_class)->dispose (object);
}

static void
ridge_terminal_item_finalize (GObject *object)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  g_free (self->address);
  g_free (self->status);
  g_clear_pointer (&self->ring, ridge_sample_ring_unref);
  G_OBJECT_CLASS (ridge_terminal_item_parent_class)->finalize (object);
}

static void
ridge_terminal_item_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  switch (prop_id)
    {
      case PROP_ADDRESS:
        g_value_set_string (value, self->address);
        break;

      case PROP_STATE:
        g_value_set_enum (value, self->state);
        break;

      case PROP_STATUS:
        g_value_set_string (value, ridge_terminal_item_get_status (self));
        break;

      case PROP_ICON_NAME:
        g_value_set_string (value, ridge_terminal_item_get_icon_name (self));
        break;

      case PROP_RTT:
        g_value_set_double (value, self->rtt_ms);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_terminal_item_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (object);

  switch (prop_id)
    {
      case PROP_ADDRESS:
        self->address = g_value_dup_string (value);
        break;

      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ridge_terminal_item_class_init (RidgeTerminalItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_terminal_item_dispose;
  object_class->finalize = ridge_terminal_item_finalize;
  object_class->get_property = ridge_terminal_item_get_property;
  object_class->set_property = ridge_terminal_item_set_property;

  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, RIDGE_TYPE_TERMINAL_STATE,
                       RIDGE_TERMINAL_STATE_DISCONNECTED,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATUS] =
    g_param_spec_string ("status", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ICON_NAME] =
    g_param_spec_string ("icon-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_RTT] =
    g_param_spec_double ("rtt", NULL, NULL, -1.0, G_MAXDOUBLE, -1.0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* a sample was appended to the health ring */
  signals[HEALTH_CHANGED] =
    g_signal_new ("health-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* a live frame (a const RidgeAppFrame *, valid during emission only) */
  signals[FRAME] =
    g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* the handshake's terminal information changed (see dup_info) */
  signals[INFO_CHANGED] =
    g_signal_new ("info-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
ridge_terminal_item_init (RidgeTerminalItem *self)
{
  self->rtt_ms = -1.0;
  self->ring = ridge_sample_ring_new (RIDGE_TERMINAL_HEALTH_SAMPLES, 256);
}

RidgeTerminalItem *
ridge_terminal_item_new (const char *address)
{
  g_return_val_if_fail (address != NULL, NULL);
  return g_object_new (RIDGE_TYPE_TERMINAL_ITEM, "address", address, NULL);
}

const char *
ridge_terminal_item_get_address (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->address;
}

RidgeTerminalState
ridge_terminal_item_get_state (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), RIDGE_TERMINAL_STATE_DISCONNECTED);
  return self->state;
}

void
ridge_terminal_item_set_state (RidgeTerminalItem *self,
                               RidgeTerminalState state,
                               const char        *detail)
{
  gboolean state_changed;

  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  state_changed = self->state != state;
  if (!state_changed && g_strcmp0 (self->status, detail) == 0)
    return;
  self->state = state;
  g_free (self->status);
  self->status = g_strdup (detail);
  if (state_changed)
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ICON_NAME]);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
}

const char *
ridge_terminal_item_get_status (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->status != NULL ? self->status : ridge_terminal_state_to_string (self->state);
}

const char *
ridge_terminal_item_get_icon_name (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  switch (self->state)
    {
      case RIDGE_TERMINAL_STATE_READY: return "network-wired-symbolic";
      case RIDGE_TERMINAL_STATE_DEGRADED: return "dialog-warning-symbolic";
      case RIDGE_TERMINAL_STATE_LOST: return "network-error-symbolic";
      case RIDGE_TERMINAL_STATE_CONNECTING:
      case RIDGE_TERMINAL_STATE_RECONNECTING: return "network-wired-acquiring-symbolic";
      case RIDGE_TERMINAL_STATE_DISCONNECTED:
      default: return "network-wired-disconnected-symbolic";
    }
}

double
ridge_terminal_item_get_rtt (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), -1.0);
  return self->rtt_ms;
}

void
ridge_terminal_item_set_rtt (RidgeTerminalItem *self,
                             double             rtt_ms)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));
  if (rtt_ms < 0)
    rtt_ms = -1.0;
  if (self->rtt_ms == rtt_ms)
    return;
  self->rtt_ms = rtt_ms;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RTT]);
}

RidgeSampleRing *
ridge_terminal_item_get_ring (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->ring;
}

void
ridge_terminal_item_push_sample (RidgeTerminalItem      *self,
                                 const RidgeChartSample *sample)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));
  g_return_if_fail (sample != NULL);

  if (!ridge_sample_ring_push (self->ring, sample))
    return;
  ridge_terminal_item_set_rtt (self, sample->gap ? -1.0 : sample->rtt_median_ms);
  g_signal_emit (self, signals[HEALTH_CHANGED], 0);
}

/* ---- the link ------------------------------------------------------------------------ */

static RidgeTerminalState
map_state (RidgeSessionState state)
{
  switch (state)
    {
      case RIDGE_SESSION_CONNECTING: return RIDGE_TERMINAL_STATE_CONNECTING;
      case RIDGE_SESSION_READY: return RIDGE_TERMINAL_STATE_READY;
      case RIDGE_SESSION_DEGRADED: return RIDGE_TERMINAL_STATE_DEGRADED;
      case RIDGE_SESSION_LOST: return RIDGE_TERMINAL_STATE_LOST;
      case RIDGE_SESSION_RECONNECTING: return RIDGE_TERMINAL_STATE_RECONNECTING;
      case RIDGE_SESSION_DISCONNECTED:
      case RIDGE_SESSION_CLOSED:
      default: return RIDGE_TERMINAL_STATE_DISCONNECTED;
    }
}

/* The newest error the session logged (why a link was lost or a reconnect failed). */
static char *
last_error_message (RidgeTerminalItem *self)
{
  RidgeHealth *health = ridge_session_get_health (self->session);

  for (guint i = ridge_health_get_n_events (health); i-- > 0;)
    {
      const RidgeHealthEvent *ev = ridge_health_get_event (health, i);

      if (ev->kind == RIDGE_HEALTH_EVENT_ERROR || ev->kind == RIDGE_HEALTH_EVENT_LOSS)
        return g_strdup (ev->message);
      if (ev->kind == RIDGE_HEALTH_EVENT_RECONNECT)
        break;
    }
  return NULL;
}

static const char *
short_state_label (RidgeTerminalState state)
{
  switch (state)
    {
      case RIDGE_TERMINAL_STATE_READY: return C_ ("chart event", "ready");
      case RIDGE_TERMINAL_STATE_DEGRADED: return C_ ("chart event", "degraded");
      case RIDGE_TERMINAL_STATE_LOST: return C_ ("chart event", "lost");
      case RIDGE_TERMINAL_STATE_RECONNECTING: return C_ ("chart event", "reconnecting");
      case RIDGE_TERMINAL_STATE_CONNECTING: return C_ ("chart event", "connecting");
      case RIDGE_TERMINAL_STATE_DISCONNECTED:
      default: return C_ ("chart event", "disconnected");
    }
}

static void start_stream (RidgeTerminalItem *self);

static void
update_from_session (RidgeTerminalItem *self)
{
  RidgeTerminalState state = map_state (ridge_session_get_state (self->session));
  RidgeTerminalState old = self->last_state;
  g_autofree char *detail = NULL;

  if (state == RIDGE_TERMINAL_STATE_LOST || state == RIDGE_TERMINAL_STATE_RECONNECTING)
    {
      g_autofree char *why = last_error_message (self);

      /* the state names end in "…" ("Reconnecting…"), so a reason gets its own sentence
       * rather than "Reconnecting…: link lost" */
      if (why != NULL && state == RIDGE_TERMINAL_STATE_LOST)
        /* Translators: the reason as the network layer gave it */
        detail = g_strdup_printf (_ ("Connection lost: %s"), why);
      else if (why != NULL)
        /* Translators: the reason as the network layer gave it */
        detail = g_strdup_printf (_ ("Reconnecting — %s"), why);
    }
  ridge_terminal_item_set_state (self, state, detail);

  /* a stream belongs to one connection: after a loss it is made anew on the next one */
  if (state == RIDGE_TERMINAL_STATE_LOST || state == RIDGE_TERMINAL_STATE_RECONNECTING)
    {
      self->stream_starting = FALSE;
      g_clear_object (&self->stream);
    }

  if (state != old)
    {
      gboolean reconnect = state == RIDGE_TERMINAL_STATE_READY
                           && old == RIDGE_TERMINAL_STATE_RECONNECTING;

      ridge_sample_ring_push_event (self->ring, g_get_real_time (),
                                    reconnect ? RIDGE_CHART_EVENT_RECONNECT
                                              : RIDGE_CHART_EVENT_STATE,
                                    reconnect ? C_ ("chart event", "reconnected")
                                              : short_state_label (state));
      self->last_state = state;
    }
  if (state == RIDGE_TERMINAL_STATE_READY && old != RIDGE_TERMINAL_STATE_READY
      && old != RIDGE_TERMINAL_STATE_DEGRADED)
    {
      g_signal_emit (self, signals[INFO_CHANGED], 0);
      if (self->want_stream)
        start_stream (self);
    }
}

static void
state_changed_cb (RidgeTerminalItem *self,
                  guint              old_state,
                  guint              new_state,
                  RidgeSession      *session)
{
  update_from_session (self);
}

/* Copies the complete seconds of the session's RidgeHealth into the chart's ring. */
static gboolean
health_poll_cb (gpointer user_data)
{
  RidgeTerminalItem *self = RIDGE_TERMINAL_ITEM (user_data);
  RidgeHealth *health;
  gint64 newest;
  gint64 wall_offset = g_get_real_time () - g_get_monotonic_time ();

  if (self->session == NULL)
    return G_SOURCE_CONTINUE;
  health = ridge_session_get_health (self->session);
  newest = ridge_health_get_newest_second (health);
  if (newest < 0)
    return G_SOURCE_CONTINUE;
  /* the newest second is still filling up; never look further back than the ring holds */
  if (self->last_second < newest - (gint64)RIDGE_HEALTH_SLOTS + 1)
    self->last_second = newest - (gint64)RIDGE_HEALTH_SLOTS + 1;
  for (gint64 sec = self->last_second + 1; sec < newest; sec++)
    {
      RidgeHealthSecond hs;
      RidgeChartSample sample = { 0 };

      if (!ridge_health_get_second (health, sec, &hs))
        continue;
      self->acc[RIDGE_CHART_SERIES_BYTES_IN] += (double)hs.bytes_in;
      self->acc[RIDGE_CHART_SERIES_BYTES_OUT] += (double)hs.bytes_out;
      self->acc[RIDGE_CHART_SERIES_FRAMES] += hs.frames;
      self->acc[RIDGE_CHART_SERIES_DROPS] += hs.frames_dropped;
      self->acc[RIDGE_CHART_SERIES_RETRANS] += hs.tcp_retrans;
      self->acc[RIDGE_CHART_SERIES_USB_ERRORS] += hs.usb_errors;
      self->acc[RIDGE_CHART_SERIES_USB_TIMEOUTS] += hs.usb_timeouts;
      self->acc[RIDGE_CHART_SERIES_USB_STALLS] += hs.usb_stalls;
      self->acc[RIDGE_CHART_SERIES_USB_RESETS] += hs.usb_resets;
      /* nothing answered and nothing declared lost: idle, or an answer still on its way;
       * its counts go into the next sample's rates */
      if (hs.rtt_count == 0 && hs.pings_lost == 0)
        continue;
      {
        double span = self->pushed_second >= 0 && sec > self->pushed_second
                      ? (double)MIN (sec - self->pushed_second, 10) : 1.0;

        for (guint k = 0; k < RIDGE_CHART_N_SERIES; k++)
          {
            sample.series[k] = self->acc[k] / span;
            self->acc[k] = 0;
          }
        self->pushed_second = sec;
      }
      sample.time_us = (sec + 1) * G_USEC_PER_SEC + wall_offset;
      sample.gap = hs.rtt_count == 0;
      sample.loss = hs.pings_sent > 0 ? MIN (1.0, (double)hs.pings_lost / hs.pings_sent)
                                      : (hs.pings_lost > 0 ? 1.0 : 0.0);
      if (!sample.gap)
        {
          sample.rtt_min_ms = hs.rtt_min / 1000.0;
          sample.rtt_median_ms = hs.rtt_median / 1000.0;
          sample.rtt_max_ms = hs.rtt_max / 1000.0;
        }
      ridge_terminal_item_push_sample (self, &sample);
    }
  self->last_second = MAX (self->last_second, newest - 1);

  /* while the link is down no heartbeat is even sent: say so, one gap a second, so the
   * chart shows the outage as it happens */
  if (self->state == RIDGE_TERMINAL_STATE_LOST
      || self->state == RIDGE_TERMINAL_STATE_RECONNECTING)
    {
      RidgeChartSample gap = { .time_us = g_get_real_time (), .loss = 1.0, .gap = TRUE };

      ridge_terminal_item_push_sample (self, &gap);
    }
  return G_SOURCE_CONTINUE;
}

static void
frame_cb (RidgeTerminalItem *self,
          RidgeFrame        *frame,
          RidgeSession      *session)
{
  RidgeStreamStats stats = { 0 };
  g_autofree RidgeAppMinutia *minutiae = NULL;
  RidgeAppFrame out = { 0 };
  gsize size = 0;

  if (frame == NULL || frame->pixels == NULL)
    return;
  out.pixels = g_bytes_get_data (frame->pixels, &size);
  if (size != (gsize)frame->width * frame->height)
    return;   /* the core validates this; never trust a size twice removed */
  if (self->stream != NULL)
    ridge_stream_get_stats (self->stream, &stats);
  if (frame->n_minutiae > 0 && frame->minutiae != NULL)
    {
      minutiae = g_new (RidgeAppMinutia, frame->n_minutiae);
      for (guint i = 0; i < frame->n_minutiae; i++)
        {
          const RidgeWireMinutia *w = &frame->minutiae[i];

          minutiae[i] = (RidgeAppMinutia) {
            .x = w->x, .y = w->y, .angle = (float)(w->angle * 2.0 * G_PI / 65536.0),
            .type = w->type, .quality = MIN (w->quality, 100),
          };
        }
    }
  out.width = frame->width;
  out.height = frame->height;
  out.dpi = frame->dpi;
  out.quality = frame->finger_present ? frame->quality : -1;
  out.finger_present = frame->finger_present;
  out.n_minutiae = minutiae != NULL ? frame->n_minutiae : 0;
  out.minutiae = minutiae;
  out.fps = stats.fps;
  out.dropped = stats.dropped;
  out.received_us = frame->received_us;
  g_signal_emit (self, signals[FRAME], 0, &out);
}

static void
stream_started_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr (RidgeTerminalItem) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ridge_stream_start_finish (RIDGE_STREAM (source), result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      self->stream_starting = FALSE;
      {
        g_autofree char *detail = g_strdup_printf (_ ("Ready, but the live image could not "
                                                      "start: %s"), error->message);

        ridge_terminal_item_set_state (self, self->state, detail);
      }
      return;
    }
  self->stream_starting = FALSE;
}

static void
start_stream (RidgeTerminalItem *self)
{
  if (self->session == NULL || self->stream_starting
      || ridge_session_get_state (self->session) != RIDGE_SESSION_READY)
    return;
  if (self->stream == NULL)
    self->stream = ridge_stream_new (self->session);
  if (ridge_stream_is_running (self->stream))
    return;
  self->stream_starting = TRUE;
  ridge_stream_start_async (self->stream, STREAM_CREDITS, STREAM_MAX_FPS,
                            RIDGE_CAPTURE_MINUTIAE | RIDGE_CAPTURE_COMPRESS, self->cancellable,
                            stream_started_cb, g_object_ref (self));
}

static void
stop_stream (RidgeTerminalItem *self)
{
  if (self->stream != NULL && ridge_stream_is_running (self->stream))
    ridge_stream_stop_async (self->stream, NULL, NULL, NULL);
}

void
ridge_terminal_item_set_streaming (RidgeTerminalItem *self,
                                   gboolean           streaming)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  self->want_stream = !!streaming;
  if (streaming)
    start_stream (self);
  else
    stop_stream (self);
}

static void
connected_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (RidgeTerminalItem) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!ridge_session_connect_finish (RIDGE_SESSION (source), result, &error))
    {
      g_autofree char *detail = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      /* Translators: %s is why, e.g. "Nothing listens on that port." */
      detail = g_strdup_printf (_ ("Could not connect: %s"), error->message);
      ridge_terminal_item_set_state (self, RIDGE_TERMINAL_STATE_DISCONNECTED, detail);
      return;
    }
  update_from_session (self);
}

void
ridge_terminal_item_connect (RidgeTerminalItem *self)
{
  g_autoptr (GError) error = NULL;
  RidgeSessionState state;

  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  if (self->session != NULL)
    {
      state = ridge_session_get_state (self->session);
      if (state != RIDGE_SESSION_DISCONNECTED && state != RIDGE_SESSION_CLOSED)
        return;   /* connected or on its way */
      ridge_terminal_item_disconnect (self);
    }

  if (g_str_has_prefix (self->address, "usb:"))
    {
      /* a terminal on USB (docs/usb.md); reconnects find it again after a replug */
      RidgeUsbContext *usb = ridge_usb_context_get_default (&error);
      g_autoptr (RidgeUsbConnector) c = NULL;

      if (usb != NULL)
        c = ridge_usb_connector_new_for_address (usb, self->address, &error);
      if (c != NULL)
        self->session = ridge_session_new (RIDGE_CONNECTOR (c));
    }
  else
    self->session = ridge_session_new_for_address (self->address, &error);
  if (self->session == NULL)
    {
      g_autofree char *detail = g_strdup_printf (_ ("Could not connect: %s"), error->message);

      ridge_terminal_item_set_state (self, RIDGE_TERMINAL_STATE_DISCONNECTED, detail);
      return;
    }
  ridge_session_set_client_name (self->session, "Ridge " PACKAGE_VERSION);
  ridge_session_set_auto_reconnect (self->session, TRUE);
  g_signal_connect_object (self->session, "state-changed", G_CALLBACK (state_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->session, "frame", G_CALLBACK (frame_cb), self,
                           G_CONNECT_SWAPPED);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->last_second = -1;
  self->pushed_second = -1;
  memset (self->acc, 0, sizeof self->acc);
  self->last_state = RIDGE_TERMINAL_STATE_DISCONNECTED;
  self->health_id = g_timeout_add_seconds (1, health_poll_cb, self);
  ridge_terminal_item_set_state (self, RIDGE_TERMINAL_STATE_CONNECTING, NULL);
  ridge_session_connect_async (self->session, self->cancellable, connected_cb,
                               g_object_ref (self));
}

void
ridge_terminal_item_disconnect (RidgeTerminalItem *self)
{
  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->health_id, g_source_remove);
  self->stream_starting = FALSE;
  g_clear_object (&self->stream);
  if (self->session != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->session, self);
      /* GOODBYE in the background; the task keeps the session alive until it is done */
      if (ridge_session_get_state (self->session) != RIDGE_SESSION_CLOSED)
        ridge_session_close_async (self->session, NULL, NULL, NULL);
      g_clear_object (&self->session);
      ridge_terminal_item_set_rtt (self, -1.0);
      ridge_terminal_item_set_state (self, RIDGE_TERMINAL_STATE_DISCONNECTED, NULL);
    }
}

gboolean
ridge_terminal_item_is_connected (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), FALSE);
  return self->session != NULL;
}

char **
ridge_terminal_item_dup_info (RidgeTerminalItem *self)
{
  const RidgeTerminalInfo *info;
  g_autoptr (GStrvBuilder) b = NULL;
  g_autofree char *sensor = NULL;
  g_autofree char *templates = NULL;
  g_autofree char *uptime = NULL;
  g_autofree char *boots = NULL;
  g_autofree char *where = NULL;

  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);

  if (self->session == NULL || (info = ridge_session_get_info (self->session)) == NULL)
    return NULL;
  b = g_strv_builder_new ();
  where = ridge_session_describe (self->session);
  sensor = g_strdup_printf (_ ("%u × %u pixels, %u dpi"), info->width, info->height, info->dpi);
  templates = g_strdup_printf (_ ("%u of %u"), info->template_count, info->template_capacity);
  {
    guint64 minutes = info->uptime_ms / 60000;

    /* Translators: hours and minutes */
    uptime = g_strdup_printf (_ ("%u h %02u min"), (guint)MIN (minutes / 60, G_MAXUINT),
                              (guint)(minutes % 60));
  }
  boots = g_strdup_printf ("%u", info->boot_counter);
#define ADD(title, value) \
  G_STMT_START { g_strv_builder_add (b, title); g_strv_builder_add (b, (value) ? (value) : "—"); \
  } G_STMT_END
  ADD (_ ("Address"), where);
  ADD (_ ("Model"), info->model);
  ADD (_ ("Serial number"), info->serial);
  ADD (_ ("Firmware"), info->firmware_version);
  ADD (_ ("Algorithm"), info->algorithm_version);
  ADD (_ ("Sensor"), sensor);
  ADD (_ ("Templates stored"), templates);
  ADD (_ ("Boot counter"), boots);
  ADD (_ ("Uptime at connection"), uptime);
#undef ADD
  return g_strv_builder_end (b);
}

/* ---- template store ------------------------------------------------------------------ */

/* A store of this many records is far beyond a terminal's; stop listing there. */
#define MAX_LISTED_TEMPLATES 100000u

void
ridge_app_template_free (RidgeAppTemplate *t)
{
  if (t == NULL)
    return;
  g_free (t->user_id);
  g_free (t->name);
  g_free (t);
}

typedef struct {
  RidgeSession *session;
  GPtrArray    *templates;
  guint32       offset;
} ListData;

static void
list_data_free (gpointer data)
{
  ListData *d = data;

  g_clear_object (&d->session);
  g_clear_pointer (&d->templates, g_ptr_array_unref);
  g_free (d);
}

static void list_next_page (GTask *task);

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  ListData *d = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) msg = NULL;
  RidgeWireMsg body;
  guint32 cursor = 0;
  guint n = 0;

  msg = ridge_session_request_finish (RIDGE_SESSION (source), result, &error);
  if (msg == NULL || !ridge_message_decode (msg, &body, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < body.tpl_list_result.n; i++)
    {
      RidgeWireTemplateInfo info;
      RidgeAppTemplate *t;

      if (ridge_wire_tpl_list_next (&body.tpl_list_result, &cursor, &info) != RIDGE_WIRE_OK)
        {
          g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _ ("The terminal sent a malformed list of enrollments."));
          return;
        }
      t = g_new0 (RidgeAppTemplate, 1);
      t->id = info.id;
      t->user_id = g_utf8_make_valid (info.user_id.ptr != NULL ? info.user_id.ptr : "",
                                      info.user_id.len);
      t->name = g_utf8_make_valid (info.name.ptr != NULL ? info.name.ptr : "", info.name.len);
      t->finger = info.finger;
      t->samples = info.samples;
      t->quality = info.quality;
      t->created_unix_ms = (gint64)MIN (info.created_unix_ms, (guint64)G_MAXINT64);
      t->updated_unix_ms = (gint64)MIN (info.updated_unix_ms, (guint64)G_MAXINT64);
      g_ptr_array_add (d->templates, t);
      n++;
    }
  d->offset += n;
  if (n == 0 || d->offset >= body.tpl_list_result.total
      || d->templates->len >= MAX_LISTED_TEMPLATES)
    {
      g_task_return_pointer (task, g_ptr_array_ref (d->templates),
                             (GDestroyNotify)g_ptr_array_unref);
      return;
    }
  list_next_page (g_steal_pointer (&task));
}

static void
list_next_page (GTask *task)
{
  ListData *d = g_task_get_task_data (task);
  RidgeWireMsg body = { 0 };

  body.tpl_list.offset = d->offset;
  body.tpl_list.max = RIDGE_WIRE_MAX_LIST;
  ridge_session_request_async (d->session, RIDGE_MSG_TPL_LIST, &body, 0,
                               g_task_get_cancellable (task), list_page_cb, task);
}

void
ridge_terminal_item_list_templates_async (RidgeTerminalItem  *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  ListData *d;

  g_return_if_fail (RIDGE_IS_TERMINAL_ITEM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_terminal_item_list_templates_async);
  if (self->session == NULL || ridge_session_get_state (self->session) != RIDGE_SESSION_READY)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("The terminal is not connected."));
      return;
    }
  d = g_new0 (ListData, 1);
  d->session = g_object_ref (self->session);
  d->templates = g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_app_template_free);
  g_task_set_task_data (task, d, list_data_free);
  list_next_page (g_steal_pointer (&task));
}

GPtrArray *
ridge_terminal_item_list_templates_finish (RidgeTerminalItem *self,
                                           GAsyncResult      *result,
                                           GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

char *
ridge_terminal_item_dup_trace (RidgeTerminalItem *self,
                               guint              max_lines)
{
  RidgeTrace *trace;
  GString *text;
  guint n, first;
  gint64 t0;

  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);

  if (self->session == NULL)
    return NULL;
  trace = ridge_session_get_trace (self->session);
  n = ridge_trace_get_n_entries (trace);
  if (n == 0)
    return g_strdup ("");
  first = n > max_lines ? n - max_lines : 0;
  t0 = ridge_trace_get_entry (trace, first)->time_us;
  text = g_string_new (NULL);
  /* newest first: the top line is what just happened */
  for (guint i = n; i-- > first;)
    {
      g_autofree char *line = ridge_trace_entry_format (ridge_trace_get_entry (trace, i), t0);

      g_string_append (text, line);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

GObject *
ridge_terminal_item_get_session (RidgeTerminalItem *self)
{
  g_return_val_if_fail (RIDGE_IS_TERMINAL_ITEM (self), NULL);
  return self->session != NULL ? G_OBJECT (self->session) : NULL;
}
