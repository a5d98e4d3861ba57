/* ridge-terminal-private.h — internal API shared by the ridge-terminal sources
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ridge-engine.h"
#include "ridge-wire.h"

G_BEGIN_DECLS

/* Errors carried to the client: the code is a RidgeWireErrorCode. */
#define RIDGE_TERMINAL_ERROR (ridge_terminal_error_quark ())
GQuark ridge_terminal_error_quark (void);

#define RIDGE_TERMINAL_MODEL            "Ridge Reference Terminal"
#define RIDGE_TERMINAL_MAX_RX_PAYLOAD   (256u * 1024u)
#define RIDGE_TERMINAL_MAX_OUT_QUEUE    (16u * 1024u * 1024u)
#define RIDGE_TERMINAL_MAX_TEMPLATE     (64u * 1024u)
#define RIDGE_TERMINAL_DEFAULT_TIMEOUT  10000u  /* ms: capture / verify wait for a finger */
#define RIDGE_TERMINAL_ENROLL_TIMEOUT   30000u  /* ms: per enrollment sample */
#define RIDGE_TERMINAL_MIN_QUALITY      30      /* enrollment samples below are rejected */
#define RIDGE_TERMINAL_MIN_MINUTIAE     10

/* ---- Log ring (ridge-terminal-log.c) ----------------------------------------------- */

void   ridge_terminal_log_install (gsize ring_size);
/* Copies up to max bytes of the log starting at *offset (an absolute byte position since
 * start; moved forward to the oldest byte kept when it fell out of the ring). */
char  *ridge_terminal_log_read (guint64 *offset, gsize max, guint64 *total);

/* ---- Template store (ridge-terminal-store.c) --------------------------------------- */

typedef struct {
  guint32 id;
  char   *user_id;
  char   *name;
  guint8  finger;
  guint8  samples;
  guint8  quality;
  guint8  format;        /* RidgeWireTemplateFormat */
  guint64 created_unix_ms;
  guint64 updated_unix_ms;
  GBytes *data;
} RidgeTerminalStoreEntry;

typedef struct _RidgeTerminalStore RidgeTerminalStore;

RidgeTerminalStore            *ridge_terminal_store_open (const char *dir,
                                                          guint       capacity,
                                                          GError    **error);
void                   ridge_terminal_store_free (RidgeTerminalStore *store);
guint                  ridge_terminal_store_capacity (RidgeTerminalStore *store);
guint                  ridge_terminal_store_count (RidgeTerminalStore *store);
/* Entries sorted by id; index < count. */
const RidgeTerminalStoreEntry *ridge_terminal_store_nth (RidgeTerminalStore *store,
                                                         guint               index);
const RidgeTerminalStoreEntry *ridge_terminal_store_lookup (RidgeTerminalStore *store,
                                                            guint32             id);
const RidgeTerminalStoreEntry *ridge_terminal_store_find_user (RidgeTerminalStore *store,
                                                               const char         *user_id,
                                                               guint8              finger);
/* Adds (entry->id == 0: a new id) or replaces (id given) a record; copies entry.
 * On success returns the stored entry. */
const RidgeTerminalStoreEntry *ridge_terminal_store_put (RidgeTerminalStore            *store,
                                                         const RidgeTerminalStoreEntry *entry,
                                                         GError                       **error);
gboolean               ridge_terminal_store_delete (RidgeTerminalStore *store,
                                                    guint32             id,
                                                    GError            **error);
gboolean               ridge_terminal_store_clear (RidgeTerminalStore *store,
                                                   GError            **error);

/* Writes contents to dir/name atomically (temp file + fsync + rename + fsync of the
 * directory); the file is created with mode. */
gboolean ridge_terminal_write_file_atomic (const char *path,
                                           const void *contents,
                                           gsize       len,
                                           int         mode,
                                           GError    **error);

/* ---- Sensors (ridge-terminal-sensor.c) --------------------------------------------- */

typedef struct _RidgeSensor RidgeSensor;

typedef struct {
  int gain;       /* percent, 100 = neutral */
  int contrast;   /* percent, 100 = neutral */
  int led;        /* 0..255 */
} RidgeSensorParams;

/* spec: "synthetic", "images:DIR" or "libfprint" */
RidgeSensor        *ridge_sensor_new (const char *spec,
                                      int         width,
                                      int         height,
                                      GError    **error);
void                ridge_sensor_free (RidgeSensor *sensor);
RidgeWireSensorType ridge_sensor_get_kind (RidgeSensor *sensor);
const char         *ridge_sensor_describe (RidgeSensor *sensor);
void                ridge_sensor_get_size (RidgeSensor *sensor,
                                           int         *width,
                                           int         *height,
                                           int         *dpi);
/* impression < 0: the finger's next impression in turn. */
gboolean            ridge_sensor_place (RidgeSensor *sensor,
                                        guint        finger,
                                        int          impression,
                                        GError     **error);
/* The same without blocking: a synthetic impression is rendered in a worker thread. */
void                ridge_sensor_place_async (RidgeSensor        *sensor,
                                              guint               finger,
                                              int                 impression,
                                              GAsyncReadyCallback callback,
                                              gpointer            user_data);
gboolean            ridge_sensor_place_finish (RidgeSensor  *sensor,
                                               GAsyncResult *result,
                                               GError      **error);
void                ridge_sensor_lift (RidgeSensor *sensor);
gboolean            ridge_sensor_finger_present (RidgeSensor *sensor);
/* The finger and impression on the sensor, and a counter that changes at every placement. */
void                ridge_sensor_get_placement (RidgeSensor *sensor,
                                                guint       *finger,
                                                guint       *impression,
                                                guint32     *placement_id);
/* Reads the sensor now: the finger's image or the empty background, with the gain and
 * contrast applied (live frames also get a little per-frame variation on simulated
 * sensors). Returns a new image (free with ridge_image_clear + g_free). */
RidgeImage         *ridge_sensor_read (RidgeSensor             *sensor,
                                       const RidgeSensorParams *params,
                                       gboolean                *finger_present);
void                ridge_sensor_image_free (RidgeImage *img);
/* For the self-test: a clean impression of a known finger, or NULL. */
RidgeImage         *ridge_sensor_test_impression (RidgeSensor *sensor);

#ifdef RIDGE_TERMINAL_HAVE_LIBFPRINT
/* ridge-terminal-sensor-libfprint.c: the backend behind "libfprint". */
typedef struct _RidgeFprintSensor RidgeFprintSensor;
RidgeFprintSensor *ridge_fprint_sensor_new (GError **error);
void               ridge_fprint_sensor_free (RidgeFprintSensor *fs);
const char        *ridge_fprint_sensor_name (RidgeFprintSensor *fs);
/* The last captured image (while the finger counts as present), or NULL. */
GBytes            *ridge_fprint_sensor_get_image (RidgeFprintSensor *fs,
                                                  int               *width,
                                                  int               *height,
                                                  guint32           *capture_id);
#endif

/* ---- The terminal (ridge-terminal.c) ------------------------------------------------ */

typedef struct {
  char *listen;
  int   port;
  char *state_dir;
  char *sensor;
  char *control;
  char *serial;
  int   capacity;
  int   fps;
  int   width;
  int   height;
  int   discovery_port;
  int   client_timeout_ms;
  int   auto_finger;        /* -1 = default (on when there is no control socket) */
} RidgeTerminalOptions;

/* Fault knobs applied to the bytes the terminal sends. */
typedef struct {
  guint64  rate_limit;      /* bytes per second, 0 = unlimited */
  guint    latency_ms;
  gboolean stall;
  gint64   drop_after;      /* bytes still to send before an abrupt close; -1 = off */
  double   corrupt_rate;    /* probability per byte of a flipped bit */
} RidgeFaults;

enum {
  RIDGE_COUNTER_FRAMES,
  RIDGE_COUNTER_DROPS,
  RIDGE_COUNTER_BYTES_SENT,
  RIDGE_COUNTER_BYTES_RECEIVED,
  RIDGE_COUNTER_ERRORS,
  RIDGE_COUNTER_CONNECTIONS,
  RIDGE_COUNTER_BUSY_REJECTS,
  RIDGE_COUNTER_RX_CORRUPT,
  RIDGE_COUNTER_ENROLLS,
  RIDGE_COUNTER_MATCHES,
  RIDGE_COUNTER_CAPTURES,
  RIDGE_COUNTER_TIMEOUTS,
  RIDGE_N_COUNTERS
};

extern const char *const ridge_counter_names[RIDGE_N_COUNTERS];

enum {
  RIDGE_PARAM_GAIN     = 1,
  RIDGE_PARAM_CONTRAST = 2,
  RIDGE_PARAM_LED      = 3,
};

typedef struct _RidgeTerminalSession RidgeTerminalSession;

typedef struct {
  RidgeTerminalOptions  opts;
  GMainLoop            *loop;
  gint64                boot_time_us;  /* monotonic clock at the (simulated) boot */
  guint32               boot_counter;
  char                 *serial;
  gint64                time_offset_us; /* TIME_SET: added to the wall clock */
  RidgeSensor          *sensor;
  RidgeSensorParams     params;
  RidgeTerminalStore   *store;
  RidgeFaults           faults;
  GRand                *fault_rand;
  guint64               counters[RIDGE_N_COUNTERS];
  GSocketService       *service;
  guint16               port;
  char                 *bound_address;
  RidgeTerminalSession *session;               /* the controlling client, or NULL */
  GSocketService       *control;
  GSocket              *discovery;
  GSource              *discovery_source;
  guint                 tick_id;
  guint                 auto_finger_id;
  guint                 auto_finger_next;
  /* the features of the placement on the sensor, for stream minutiae */
  RidgeFeatures    *live_features;
  guint32           live_features_placement;
  RidgeSensorParams live_features_params;
} RidgeTerminal;

gboolean ridge_terminal_start (RidgeTerminal *term,
                               GError       **error);
void     ridge_terminal_stop (RidgeTerminal *term);
void     ridge_terminal_fill_info (RidgeTerminal         *term,
                                   RidgeWireTerminalInfo *info);
gint64   ridge_terminal_wall_time_us (RidgeTerminal *term);
gboolean ridge_terminal_engine_ready (void);
/* A simulated reboot: the boot counter increments, the uptime restarts. */
void     ridge_terminal_reboot (RidgeTerminal *term);
char    *ridge_terminal_status (RidgeTerminal *term);

/* ---- Sessions (ridge-terminal-session.c) -------------------------------------------- */

RidgeTerminalSession *ridge_terminal_session_new (RidgeTerminal     *term,
                                                  GSocketConnection *conn,
                                                  gboolean           busy);
void          ridge_terminal_session_close (RidgeTerminalSession *session,
                                            const char           *why);
const char   *ridge_terminal_session_peer (RidgeTerminalSession *session);
/* Called by the terminal at every sensor tick. */
void          ridge_terminal_session_tick (RidgeTerminalSession *session);
void          ridge_terminal_session_say_goodbye (RidgeTerminalSession *session);
char         *ridge_terminal_session_status (RidgeTerminalSession *session);
/* Re-evaluates the write path after a fault knob changed. */
void          ridge_terminal_session_faults_changed (RidgeTerminalSession *session);

/* ---- Control socket and discovery (ridge-terminal-control.c) ----------------------- */

gboolean ridge_control_start (RidgeTerminal *term,
                              GError       **error);
void     ridge_control_stop (RidgeTerminal *term);
/* Runs one control command line; returns the answer line ("ok ..." or "error ..."). */
char    *ridge_control_run (RidgeTerminal *term,
                            const char    *line);
gboolean ridge_discovery_start (RidgeTerminal *term,
                                GError       **error);
void     ridge_discovery_stop (RidgeTerminal *term);

G_END_DECLS
