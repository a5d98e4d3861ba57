/* ridge-error.h — the RIDGE_ERROR domain: stable codes, each with a human sentence
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RIDGE_ERROR (ridge_error_quark ())

/* Stable codes: never renumber, only append. ridge_error_sentence() gives each a sentence. */
typedef enum {
  RIDGE_ERROR_FAILED           = 0,  /* anything without a better code */
  /* link */
  RIDGE_ERROR_UNREACHABLE      = 1,  /* no route, unknown host, network down */
  RIDGE_ERROR_REFUSED          = 2,  /* nothing listens on that port */
  RIDGE_ERROR_TIMED_OUT        = 3,  /* no answer in time (connect or request) */
  RIDGE_ERROR_VERSION_MISMATCH = 4,  /* no common protocol version */
  RIDGE_ERROR_BUSY             = 5,  /* another client holds the terminal */
  RIDGE_ERROR_REBOOTED         = 6,  /* the terminal restarted (boot counter changed) */
  RIDGE_ERROR_CONNECTION_LOST  = 7,  /* heartbeats missed or the peer closed */
  RIDGE_ERROR_CLOSED           = 8,  /* the session was closed by this side */
  RIDGE_ERROR_NOT_CONNECTED    = 9,  /* request while not ready */
  RIDGE_ERROR_PROTOCOL         = 10, /* the terminal sent something we cannot decode */
  /* wire error codes (RidgeWireErrorCode), one each */
  RIDGE_ERROR_MALFORMED        = 11, /* ERR_MALFORMED */
  RIDGE_ERROR_UNSUPPORTED      = 12, /* ERR_UNSUPPORTED */
  RIDGE_ERROR_NOT_FOUND        = 13, /* ERR_NOT_FOUND */
  RIDGE_ERROR_STORE_FULL       = 14, /* ERR_STORE_FULL */
  RIDGE_ERROR_NO_FINGER        = 15, /* ERR_TIMEOUT: no finger in time */
  RIDGE_ERROR_CANCELLED        = 16, /* ERR_CANCELLED */
  RIDGE_ERROR_BAD_STATE        = 17, /* ERR_BAD_STATE */
  RIDGE_ERROR_INVALID_ARGUMENT = 18, /* ERR_INVALID_ARG */
  RIDGE_ERROR_DUPLICATE        = 19, /* ERR_DUPLICATE */
  RIDGE_ERROR_INTERNAL         = 20, /* ERR_INTERNAL */
  RIDGE_ERROR_AUTH_REQUIRED    = 21, /* ERR_AUTH_REQUIRED */
  RIDGE_ERROR_LOW_QUALITY      = 22, /* ERR_LOW_QUALITY */
  RIDGE_ERROR_STORAGE          = 23, /* ERR_STORAGE */
  RIDGE_ERROR_NOT_HELLO        = 24, /* ERR_NOT_HELLO */
  RIDGE_ERROR_UNKNOWN_REMOTE   = 25, /* a wire error code this version does not know */
} RidgeErrorCode;

#define RIDGE_ERROR_LAST RIDGE_ERROR_UNKNOWN_REMOTE

GQuark         ridge_error_quark (void);

/* "The terminal is busy with another client." — never NULL. */
const char    *ridge_error_sentence (RidgeErrorCode code);
/* "BUSY", "TIMED_OUT" … stable identifiers for --json output. */
const char    *ridge_error_code_nick (RidgeErrorCode code);

/* Builds an error whose message is the sentence, followed by detail when given. */
GError        *ridge_error_new (RidgeErrorCode code,
                                const char    *detail_format,
                                ...) G_GNUC_PRINTF (2, 3);
void           ridge_set_error (GError       **error,
                                RidgeErrorCode code,
                                const char    *detail_format,
                                ...) G_GNUC_PRINTF (3, 4);

/* Maps a wire error response (code + the terminal's text) to a RIDGE_ERROR. */
RidgeErrorCode ridge_error_code_from_wire (guint16 wire_code);
GError        *ridge_error_new_from_wire (guint16     wire_code,
                                          const char *text,
                                          gsize       text_len);

/* Maps a GIO/resolver error of a connection attempt to a RIDGE_ERROR (takes ownership). */
GError        *ridge_error_from_connect_error (GError     *io_error,
                                               const char *address);

G_END_DECLS
