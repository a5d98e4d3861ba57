/* ridge-message.h — received protocol messages and decoded image frames
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "wire/ridge-wire.h"

G_BEGIN_DECLS

/* A frame received from the terminal (response or event), payload owned. */
typedef struct {
  guint16 type;
  guint8  flags;
  guint32 seq;
  GBytes *payload;
  gint64  received_us;  /* monotonic */
  gint64  rtt_us;       /* responses: since the request was queued; else -1 */
  /*< private >*/
  gint ref_count;
} RidgeMessage;

#define RIDGE_TYPE_MESSAGE (ridge_message_get_type ())
GType         ridge_message_get_type (void) G_GNUC_CONST;
RidgeMessage *ridge_message_new (guint16 type,
                                 guint8  flags,
                                 guint32 seq,
                                 GBytes *payload);
RidgeMessage *ridge_message_ref (RidgeMessage *msg);
void          ridge_message_unref (RidgeMessage *msg);
/* Decodes the payload; strings/blobs in out point into the message's payload and stay
 * valid while the message is alive. Errors are RIDGE_ERROR_PROTOCOL. */
gboolean      ridge_message_decode (RidgeMessage *msg,
                                    RidgeWireMsg *out,
                                    GError      **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeMessage, ridge_message_unref)

/* An image from the terminal, decompressed to 8-bit grey. */
typedef struct {
  guint32           frame_no;
  gint64            timestamp_us;   /* terminal monotonic clock */
  gint64            received_us;    /* our monotonic clock */
  guint16           width;
  guint16           height;
  guint16           dpi;
  gboolean          finger_present;
  guint8            quality;
  guint32           dropped_total;
  guint8            encoding;       /* how it travelled (RidgeWireEncoding) */
  gsize             encoded_size;
  GBytes           *pixels;         /* width × height bytes */
  guint             n_minutiae;
  RidgeWireMinutia *minutiae;
  /*< private >*/
  gint ref_count;
} RidgeFrame;

#define RIDGE_TYPE_FRAME (ridge_frame_get_type ())
GType       ridge_frame_get_type (void) G_GNUC_CONST;
/* Validates sizes and decodes RICE. Errors are RIDGE_ERROR_PROTOCOL. */
RidgeFrame *ridge_frame_new_from_wire (const RidgeWireFrame *wf,
                                       gint64                received_us,
                                       GError              **error);
RidgeFrame *ridge_frame_ref (RidgeFrame *frame);
void        ridge_frame_unref (RidgeFrame *frame);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeFrame, ridge_frame_unref)

/* TERMINAL_INFO with owned strings. */
typedef struct {
  guint8  version;
  guint32 max_payload;
  guint32 capabilities;
  guint32 auth_methods;
  char   *model;
  char   *serial;
  char   *firmware_version;
  char   *algorithm_version;
  guint8  sensor_type;
  guint16 width;
  guint16 height;
  guint16 dpi;
  guint32 template_capacity;
  guint32 template_count;
  guint32 boot_counter;
  guint64 uptime_ms;
} RidgeTerminalInfo;

#define RIDGE_TYPE_TERMINAL_INFO (ridge_terminal_info_get_type ())
GType              ridge_terminal_info_get_type (void) G_GNUC_CONST;
RidgeTerminalInfo *ridge_terminal_info_new_from_wire (const RidgeWireTerminalInfo *wi);
RidgeTerminalInfo *ridge_terminal_info_copy (const RidgeTerminalInfo *info);
void               ridge_terminal_info_free (RidgeTerminalInfo *info);
const char        *ridge_sensor_type_to_string (guint8 sensor_type);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeTerminalInfo, ridge_terminal_info_free)

/* A wire string as a newly allocated, valid UTF-8 C string. */
char *ridge_wire_str_dup (RidgeWireStr s);

G_END_DECLS
