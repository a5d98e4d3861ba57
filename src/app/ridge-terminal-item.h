/* ridge-terminal-item.h — one terminal of the sidebar: address, link state, health ring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ridge-sample-ring.h"

G_BEGIN_DECLS

typedef enum {
  RIDGE_TERMINAL_STATE_DISCONNECTED,
  RIDGE_TERMINAL_STATE_CONNECTING,
  RIDGE_TERMINAL_STATE_READY,
  RIDGE_TERMINAL_STATE_DEGRADED,
  RIDGE_TERMINAL_STATE_LOST,
  RIDGE_TERMINAL_STATE_RECONNECTING,
} RidgeTerminalState;

#define RIDGE_TYPE_TERMINAL_STATE (ridge_terminal_state_get_type ())
GType ridge_terminal_state_get_type (void);

/* A minutia as the app passes it between the link (wire types) and the widgets (engine
 * types): the two headers cannot meet in one file, so this neutral copy carries it. */
typedef struct {
  float  x;
  float  y;
  float  angle;       /* radians, ISO convention */
  guint8 type;        /* 0 other, 1 ending, 2 bifurcation */
  guint8 quality;     /* 0..100 */
} RidgeAppMinutia;

/* One live frame from the terminal, for RidgeTerminalItem::frame. */
typedef struct {
  guint                  width;
  guint                  height;
  guint                  dpi;
  const guint8          *pixels;        /* width × height */
  int                    quality;       /* -1 when the terminal sent none */
  gboolean               finger_present;
  guint                  n_minutiae;
  const RidgeAppMinutia *minutiae;
  double                 fps;           /* stream statistics */
  guint64                dropped;
  gint64                 received_us;   /* monotonic */
} RidgeAppFrame;

/* One record of the terminal's template store (never the template itself). */
typedef struct {
  guint32 id;
  char   *user_id;
  char   *name;
  guint   finger;          /* ISO position 1..10, 0 unknown */
  guint   samples;
  guint   quality;
  gint64  created_unix_ms;
  gint64  updated_unix_ms;
} RidgeAppTemplate;

void ridge_app_template_free (RidgeAppTemplate *t);

/* Samples kept per terminal for the health chart: one hour of one-second samples. */
#define RIDGE_TERMINAL_HEALTH_SAMPLES 3600

#define RIDGE_TYPE_TERMINAL_ITEM (ridge_terminal_item_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTerminalItem, ridge_terminal_item, RIDGE, TERMINAL_ITEM, GObject)

RidgeTerminalItem  *ridge_terminal_item_new (const char         *address);
const char         *ridge_terminal_item_get_address (RidgeTerminalItem *self);
RidgeTerminalState  ridge_terminal_item_get_state (RidgeTerminalItem *self);
/* detail: a sentence saying why (e.g. the last error); NULL for the state's default. */
void                ridge_terminal_item_set_state (RidgeTerminalItem *self,
                                                   RidgeTerminalState state,
                                                   const char        *detail);
/* The state as a sentence for the sidebar subtitle. */
const char         *ridge_terminal_item_get_status (RidgeTerminalItem *self);
/* A symbolic icon name for the state. */
const char         *ridge_terminal_item_get_icon_name (RidgeTerminalItem *self);
/* Milliseconds; negative when unknown. */
double              ridge_terminal_item_get_rtt (RidgeTerminalItem *self);
void                ridge_terminal_item_set_rtt (RidgeTerminalItem *self,
                                                 double             rtt_ms);
RidgeSampleRing    *ridge_terminal_item_get_ring (RidgeTerminalItem *self);

/* Appends one health sample (and tells the sidebar's sparkline through ::health-changed). */
void                ridge_terminal_item_push_sample (RidgeTerminalItem      *self,
                                                     const RidgeChartSample *sample);

/* The link. connect() opens a session to the address (reconnecting by itself after
 * losses); disconnect() closes it. Failures end up as a sentence in the status. */
void                ridge_terminal_item_connect (RidgeTerminalItem *self);
void                ridge_terminal_item_disconnect (RidgeTerminalItem *self);
gboolean            ridge_terminal_item_is_connected (RidgeTerminalItem *self);
/* Ask for the live image stream while TRUE (it (re)starts whenever the link is ready). */
void                ridge_terminal_item_set_streaming (RidgeTerminalItem *self,
                                                       gboolean           streaming);
/* What the terminal told in its handshake, as (title, value) pairs in a NULL-terminated
 * array: title0, value0, title1, value1, …; NULL before the first handshake. */
char              **ridge_terminal_item_dup_info (RidgeTerminalItem *self);

/* Every record of the terminal's template store (TPL_LIST, page by page): a GPtrArray of
 * RidgeAppTemplate. */
void                ridge_terminal_item_list_templates_async (RidgeTerminalItem  *self,
                                                              GCancellable       *cancellable,
                                                              GAsyncReadyCallback callback,
                                                              gpointer            user_data);
GPtrArray          *ridge_terminal_item_list_templates_finish (RidgeTerminalItem *self,
                                                               GAsyncResult      *result,
                                                               GError           **error);

/* The newest max_lines exchanges of the protocol trace (metadata only, no payloads), one
* per line, newest first, times relative to the oldest shown; NULL when not connected. */
char               *ridge_terminal_item_dup_trace (RidgeTerminalItem *self,
                                                   guint              max_lines);

const char         *ridge_terminal_state_to_string (RidgeTerminalState state);

/* The core session of the link (see core/ridge-session.h), NULL while disconnected; it
 * changes on connect/disconnect (watch notify::state). For requests the item has no helper
 * for (enrollment, template store changes). */
GObject            *ridge_terminal_item_get_session (RidgeTerminalItem *self);

G_END_DECLS
