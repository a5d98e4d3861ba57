/* ridgectl.h — shared state of the ridgectl commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "ridge-core.h"

G_BEGIN_DECLS

/* Exit codes (documented in docs/ridgectl.md and --help). */
enum {
  EXIT_OK         = 0,
  EXIT_USAGE      = 1,
  EXIT_CONNECTION = 2, /* unreachable, refused, lost, busy, version mismatch */
  EXIT_TERMINAL   = 3, /* protocol or terminal error */
  EXIT_NOT_FOUND  = 4, /* no such record, no match */
  EXIT_TIMEOUT    = 5, /* no answer or no finger in time */
  EXIT_LOCAL      = 6, /* local file could not be written */
};

typedef struct {
  char         *terminal;    /* HOST[:PORT] */
  gboolean      json;
  guint         timeout_ms;  /* per request; 0 = default */
  gboolean      trace;       /* `trace COMMAND`: print the protocol trace at the end */
  RidgeSession *session;
  GCancellable *cancellable; /* cancelled by SIGINT/SIGTERM */
  gboolean      interrupted;
  JsonBuilder  *trace_json;  /* filled by the trace printer in --json mode */
} Ctl;

typedef int (*CtlCommand) (Ctl   *ctl,
                           int    argc,
                           char **argv);

/* helpers (ridgectl.c) */
GAsyncResult *ctl_wait (GAsyncResult **slot);
void          ctl_store_result (GObject      *source,
                                GAsyncResult *result,
                                gpointer      user_data);
int           ctl_connect (Ctl     *ctl,
                           GError **error);
RidgeMessage *ctl_request (Ctl                *ctl,
                           guint16             type,
                           const RidgeWireMsg *msg,
                           guint               extra_timeout_ms,
                           RidgeWireMsg       *decoded,
                           GError            **error);
int           ctl_fail (Ctl          *ctl,
                        const GError *error);
int           ctl_usage (Ctl        *ctl,
                         const char *format,
                         ...) G_GNUC_PRINTF (2, 3);
void          ctl_print_json (JsonBuilder *builder);
int           ctl_exit_code_for (const GError *error);
gboolean      ctl_parse_finger (const char *text,
                                guint8     *finger);
const char   *ctl_finger_name (guint8 finger);
gboolean      ctl_parse_uint (const char *text,
                              guint64     max,
                              guint64    *out);
void          ctl_spin_ms (Ctl  *ctl,
                           guint ms);

/* JSON shorthands */
#define J_STR(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_string_value (b, v); } G_STMT_END
#define J_INT(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_int_value (b, (gint64)(v)); } G_STMT_END
#define J_DBL(b, k, v)  G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_double_value (b, v); } G_STMT_END
#define J_BOOL(b, k, v) G_STMT_START { json_builder_set_member_name (b, k); \
                                       json_builder_add_boolean_value (b, v); } G_STMT_END

/* helpers shared by the command files (ridgectl-commands.c) */
/* Parses command options; argv[0] is the command name. Returns FALSE after printing. */
gboolean ctl_parse_options (Ctl          *ctl,
                            const char   *params,
                            const char   *summary,
                            GOptionEntry *entries,
                            int          *argc,
                            char       ***argv);
/* Connects to ctl->terminal; EXIT_OK, or the exit code after printing why not. */
int      ctl_connect_or_fail (Ctl *ctl);

/* ridgectl-link.c */
int ctl_cmd_info (Ctl *ctl, int argc, char **argv);
int ctl_cmd_ping (Ctl *ctl, int argc, char **argv);
int ctl_cmd_health (Ctl *ctl, int argc, char **argv);
int ctl_cmd_discover (Ctl *ctl, int argc, char **argv);
int ctl_cmd_usb_list (Ctl *ctl, int argc, char **argv);

/* ridgectl-capture.c */
int ctl_cmd_capture (Ctl *ctl, int argc, char **argv);
int ctl_cmd_stream (Ctl *ctl, int argc, char **argv);

/* ridgectl-templates.c */
int ctl_cmd_enroll (Ctl *ctl, int argc, char **argv);
int ctl_cmd_list (Ctl *ctl, int argc, char **argv);
int ctl_cmd_delete (Ctl *ctl, int argc, char **argv);
int ctl_cmd_rename (Ctl *ctl, int argc, char **argv);
int ctl_cmd_verify (Ctl *ctl, int argc, char **argv);
int ctl_cmd_identify (Ctl *ctl, int argc, char **argv);

/* ridgectl-diag.c */
int ctl_cmd_diag (Ctl *ctl, int argc, char **argv);

/* ridgectl-export.c */
int ctl_cmd_export (Ctl *ctl, int argc, char **argv);

/* local libfprint readers (ridgectl-reader.c): `readers`, and every command on a
 * `reader:` address */
int ctl_reader_main (Ctl *ctl, int argc, char **argv);

G_END_DECLS
