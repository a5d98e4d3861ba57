/* ridge-error.c — the RIDGE_ERROR domain
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-error.h"

#include <gio/gio.h>
#include <string.h>

#include "wire/ridge-wire.h"

G_DEFINE_QUARK (ridge - error - quark, ridge_error)

static const struct {
  const char *nick;
  const char *sentence;
} errors[] = {
  [RIDGE_ERROR_FAILED] = { "FAILED", "The operation failed." },
  [RIDGE_ERROR_UNREACHABLE] = { "UNREACHABLE",
                                "The terminal cannot be reached: check its address, the cable "
                                "and the network." },
  [RIDGE_ERROR_REFUSED] = { "REFUSED",
                            "The terminal refused the connection: nothing listens on that port "
                            "(is ridge-terminal running?)." },
  [RIDGE_ERROR_TIMED_OUT] = { "TIMED_OUT", "The terminal did not answer in time." },
  [RIDGE_ERROR_VERSION_MISMATCH] = { "VERSION_MISMATCH",
                                     "The terminal speaks a protocol version this program does "
                                     "not support; update one of them." },
  [RIDGE_ERROR_BUSY] = { "BUSY", "The terminal is busy with another client." },
  [RIDGE_ERROR_REBOOTED] = { "REBOOTED", "The terminal restarted." },
  [RIDGE_ERROR_CONNECTION_LOST] = { "CONNECTION_LOST", "The connection to the terminal was lost." },
  [RIDGE_ERROR_CLOSED] = { "CLOSED", "The session is closed." },
  [RIDGE_ERROR_NOT_CONNECTED] = { "NOT_CONNECTED", "Not connected to the terminal." },
  [RIDGE_ERROR_PROTOCOL] = { "PROTOCOL",
                             "The terminal sent data this program cannot understand." },
  [RIDGE_ERROR_MALFORMED] = { "MALFORMED", "The terminal could not decode the request." },
  [RIDGE_ERROR_UNSUPPORTED] = { "UNSUPPORTED", "The terminal does not support this operation." },
  [RIDGE_ERROR_NOT_FOUND] = { "NOT_FOUND", "No such record on the terminal." },
  [RIDGE_ERROR_STORE_FULL] = { "STORE_FULL", "The terminal's template store is full." },
  [RIDGE_ERROR_NO_FINGER] = { "NO_FINGER", "No finger was placed on the sensor in time." },
  [RIDGE_ERROR_CANCELLED] = { "CANCELLED", "The operation was cancelled on the terminal." },
  [RIDGE_ERROR_BAD_STATE] = { "BAD_STATE",
                              "The terminal is not in a state that allows this operation." },
  [RIDGE_ERROR_INVALID_ARGUMENT] = { "INVALID_ARGUMENT",
                                     "The terminal rejected an argument as invalid." },
  [RIDGE_ERROR_DUPLICATE] = { "DUPLICATE", "This finger is already enrolled." },
  [RIDGE_ERROR_INTERNAL] = { "INTERNAL", "The terminal reported an internal error." },
  [RIDGE_ERROR_AUTH_REQUIRED] = { "AUTH_REQUIRED", "The terminal requires authentication." },
  [RIDGE_ERROR_LOW_QUALITY] = { "LOW_QUALITY",
                                "The fingerprint image quality is too low; place the finger "
                                "again, flat and centred." },
  [RIDGE_ERROR_STORAGE] = { "STORAGE", "The terminal could not write to its storage." },
  [RIDGE_ERROR_NOT_HELLO] = { "NOT_HELLO", "The terminal expected a handshake first." },
  [RIDGE_ERROR_UNKNOWN_REMOTE] = { "UNKNOWN_REMOTE",
                                   "The terminal reported an error this program does not know." },
};

G_STATIC_ASSERT (G_N_ELEMENTS (errors) == RIDGE_ERROR_LAST + 1);

const char *
ridge_error_sentence (RidgeErrorCode code)
{
  if ((guint)code > RIDGE_ERROR_LAST)
    code = RIDGE_ERROR_FAILED;
  return errors[code].sentence;
}

const char *
ridge_error_code_nick (RidgeErrorCode code)
{
  if ((guint)code > RIDGE_ERROR_LAST)
    code = RIDGE_ERROR_FAILED;
  return errors[code].nick;
}

static GError *
new_valist (RidgeErrorCode code,
            const char    *format,
            va_list        args)
{
  const char *sentence = ridge_error_sentence (code);
  g_autofree char *detail = NULL;

  if (format == NULL)
    return g_error_new_literal (RIDGE_ERROR, code, sentence);
  detail = g_strdup_vprintf (format, args);
  if (detail[0] == '\0')
    return g_error_new_literal (RIDGE_ERROR, code, sentence);
  /* a detail that already says the sentence, and more, stands alone:
   * "This finger is already enrolled as template 3 of user …" */
  if (strncmp (detail, sentence, strlen (sentence) - 1) == 0)
    return g_error_new_literal (RIDGE_ERROR, code, detail);
  /* "The terminal is busy with another client: held by 10.0.0.7:50412" */
  return g_error_new (RIDGE_ERROR, code, "%.*s: %s", (int)(strlen (sentence) - 1), sentence,
                      detail);
}

GError *
ridge_error_new (RidgeErrorCode code,
                 const char    *detail_format,
                 ...)
{
  va_list args;
  GError *e;

  va_start (args, detail_format);
  e = new_valist (code, detail_format, args);
  va_end (args);
  return e;
}

void
ridge_set_error (GError       **error,
                 RidgeErrorCode code,
                 const char    *detail_format,
                 ...)
{
  va_list args;

  if (error == NULL)
    return;
  va_start (args, detail_format);
  g_propagate_error (error, new_valist (code, detail_format, args));
  va_end (args);
}

RidgeErrorCode
ridge_error_code_from_wire (guint16 wire_code)
{
  switch (wire_code)
    {
      case RIDGE_ERR_MALFORMED: return RIDGE_ERROR_MALFORMED;
      case RIDGE_ERR_UNSUPPORTED: return RIDGE_ERROR_UNSUPPORTED;
      case RIDGE_ERR_VERSION: return RIDGE_ERROR_VERSION_MISMATCH;
      case RIDGE_ERR_BUSY: return RIDGE_ERROR_BUSY;
      case RIDGE_ERR_NOT_FOUND: return RIDGE_ERROR_NOT_FOUND;
      case RIDGE_ERR_STORE_FULL: return RIDGE_ERROR_STORE_FULL;
      case RIDGE_ERR_TIMEOUT: return RIDGE_ERROR_NO_FINGER;
      case RIDGE_ERR_CANCELLED: return RIDGE_ERROR_CANCELLED;
      case RIDGE_ERR_BAD_STATE: return RIDGE_ERROR_BAD_STATE;
      case RIDGE_ERR_INVALID_ARG: return RIDGE_ERROR_INVALID_ARGUMENT;
      case RIDGE_ERR_DUPLICATE: return RIDGE_ERROR_DUPLICATE;
      case RIDGE_ERR_INTERNAL: return RIDGE_ERROR_INTERNAL;
      case RIDGE_ERR_AUTH_REQUIRED: return RIDGE_ERROR_AUTH_REQUIRED;
      case RIDGE_ERR_LOW_QUALITY: return RIDGE_ERROR_LOW_QUALITY;
      case RIDGE_ERR_STORAGE: return RIDGE_ERROR_STORAGE;
      case RIDGE_ERR_NOT_HELLO: return RIDGE_ERROR_NOT_HELLO;
      default: return RIDGE_ERROR_UNKNOWN_REMOTE;
    }
}

GError *
ridge_error_new_from_wire (guint16     wire_code,
                           const char *text,
                           gsize       text_len)
{
  RidgeErrorCode code = ridge_error_code_from_wire (wire_code);
  g_autofree char *clean = NULL;

  /* The terminal's text is untrusted: keep it valid UTF-8 and bounded. */
  if (text != NULL && text_len > 0)
    clean = g_utf8_make_valid (text, (gssize)MIN (text_len, 1024));

  if (code == RIDGE_ERROR_UNKNOWN_REMOTE)
    return ridge_error_new (code, "code %u%s%s", wire_code, clean ? ": " : "",
                            clean ? clean : "");
  return ridge_error_new (code, "%s", clean ? clean : "");
}

GError *
ridge_error_from_connect_error (GError     *io_error,
                                const char *address)
{
  RidgeErrorCode code = RIDGE_ERROR_UNREACHABLE;
  GError *ret;

  g_return_val_if_fail (io_error != NULL, NULL);

  if (io_error->domain == RIDGE_ERROR)
    return io_error;
  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return io_error;

  if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    code = RIDGE_ERROR_REFUSED;
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    code = RIDGE_ERROR_TIMED_OUT;
  else if (io_error->domain == G_RESOLVER_ERROR
           || g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE)
           || g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE)
           || g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_HOST_NOT_FOUND))
    code = RIDGE_ERROR_UNREACHABLE;
  else if (g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED)
           || g_error_matches (io_error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
    code = RIDGE_ERROR_CONNECTION_LOST;
  else
    code = RIDGE_ERROR_FAILED;

  ret = ridge_error_new (code, "%s: %s", address ? address : "terminal", io_error->message);
  g_error_free (io_error);
  return ret;
}
