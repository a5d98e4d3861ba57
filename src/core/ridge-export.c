/* ridge-export.c — the export client: the outbox sender on libsoup 3 (profiles: ridge-export-profile.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run works in a GTask thread with its own store connection and its own SoupSession (sync
 * API): queue, then take the first `batch` queued items, POST them to /v1/batches, and
 * write every per-item answer in one transaction. A failed attempt (transport error, 5xx,
 * 429/503, a garbled answer) leaves the items queued, counts up their attempts and waits
 * (Retry-After, else exponential backoff with jitter) before the same batch is tried again.
 * docs/export-api.md "Client behaviour" describes it.
 */
#define G_LOG_DOMAIN "ridge-export"

#include "config.h"

#include "ridge-export.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "ridge-backoff.h"
#include "ridge-export-private.h"
#include "ridge-store-private.h"
#include "ridge-store-sync.h"
#include "wire/ridge-wire.h"

#define MAX_REASON              500
#define MAX_RESPONSE            (16 * 1024 * 1024)

/* ---- Errors -------------------------------------------------------------------------- */

G_DEFINE_QUARK (ridge - export - error - quark, ridge_export_error)

static const struct {
  const char *nick;
  const char *sentence;
} export_errors[] = {
  [RIDGE_EXPORT_ERROR_FAILED] = { "FAILED", "The export failed." },
  [RIDGE_EXPORT_ERROR_INVALID_PROFILE] = { "INVALID_PROFILE", "The server profile is not valid." },
  [RIDGE_EXPORT_ERROR_NO_PROFILE] = { "NO_PROFILE", "There is no server profile of that name." },
  [RIDGE_EXPORT_ERROR_NO_SETTINGS] = { "NO_SETTINGS",
                                       "The Ridge settings schema is not installed, so server "
                                       "profiles cannot be kept." },
  [RIDGE_EXPORT_ERROR_NO_TOKEN] = { "NO_TOKEN", "There is no token for this server profile." },
  [RIDGE_EXPORT_ERROR_UNREACHABLE] = { "UNREACHABLE", "The server cannot be reached." },
  [RIDGE_EXPORT_ERROR_TIMED_OUT] = { "TIMED_OUT", "The server did not answer in time." },
  [RIDGE_EXPORT_ERROR_TLS_UNTRUSTED] = { "TLS_UNTRUSTED",
                                         "The server's certificate is not trusted." },
  [RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH] = { "TLS_PIN_MISMATCH",
                                            "The server's certificate is not the pinned "
                                            "certificate." },
  [RIDGE_EXPORT_ERROR_TLS_FAILED] = { "TLS_FAILED",
                                      "The secure connection to the server failed." },
  [RIDGE_EXPORT_ERROR_TOKEN_REFUSED] = { "TOKEN_REFUSED", "The server refused the token." },
  [RIDGE_EXPORT_ERROR_FORBIDDEN] = { "FORBIDDEN",
                                     "The token is not allowed to export to this server." },
  [RIDGE_EXPORT_ERROR_SERVER] = { "SERVER", "The server kept failing." },
  [RIDGE_EXPORT_ERROR_BUSY] = { "BUSY", "The server is busy." },
  [RIDGE_EXPORT_ERROR_REQUEST] = { "REQUEST", "The server refused the request as malformed." },
  [RIDGE_EXPORT_ERROR_PROTOCOL] = { "PROTOCOL",
                                    "The server's answer does not follow the Ridge export "
                                    "API." },
};

const char *
ridge_export_error_sentence (RidgeExportErrorCode code)
{
  if ((guint)code >= G_N_ELEMENTS (export_errors))
    code = RIDGE_EXPORT_ERROR_FAILED;
  return export_errors[code].sentence;
}

const char *
ridge_export_error_nick (RidgeExportErrorCode code)
{
  if ((guint)code >= G_N_ELEMENTS (export_errors))
    code = RIDGE_EXPORT_ERROR_FAILED;
  return export_errors[code].nick;
}

/* The sentence, then the detail when there is one. */
void
ridge_export_set_error (GError             **error,
                        RidgeExportErrorCode code,
                        const char          *format,
                        ...)
{
  g_autofree char *detail = NULL;
  va_list ap;

  if (format)
    {
      va_start (ap, format);
      detail = g_strdup_vprintf (format, ap);
      va_end (ap);
    }
  if (detail && *detail)
    g_set_error (error, RIDGE_EXPORT_ERROR, code, "%s %s", ridge_export_error_sentence (code),
                 detail);
  else
    g_set_error_literal (error, RIDGE_EXPORT_ERROR, code, ridge_export_error_sentence (code));
}

/* ---- Summary ---------------------------------------------------------------------------- */

G_DEFINE_BOXED_TYPE (RidgeExportSummary, ridge_export_summary, ridge_export_summary_copy,
                     ridge_export_summary_free);

RidgeExportSummary *
ridge_export_summary_copy (const RidgeExportSummary *summary)
{
  RidgeExportSummary *s = g_new (RidgeExportSummary, 1);

  *s = *summary;
  s->last_error = g_strdup (summary->last_error);
  return s;
}

void
ridge_export_summary_clear (RidgeExportSummary *summary)
{
  g_clear_pointer (&summary->last_error, g_free);
}

void
ridge_export_summary_free (RidgeExportSummary *summary)
{
  if (summary == NULL)
    return;
  ridge_export_summary_clear (summary);
  g_free (summary);
}

/* ---- A TLS database that trusts exactly one certificate --------------------------------- */

#define RIDGE_TYPE_PIN_DATABASE (ridge_pin_database_get_type ())
G_DECLARE_FINAL_TYPE (RidgePinDatabase, ridge_pin_database, RIDGE, PIN_DATABASE, GTlsDatabase)

struct _RidgePinDatabase {
  GTlsDatabase     parent_instance;
  GTlsCertificate *pinned;
};

G_DEFINE_FINAL_TYPE (RidgePinDatabase, ridge_pin_database, G_TYPE_TLS_DATABASE);

static GTlsCertificateFlags
ridge_pin_database_verify_chain (GTlsDatabase           *database,
                                 GTlsCertificate        *chain,
                                 const gchar            *purpose,
                                 GSocketConnectable     *identity,
                                 GTlsInteraction        *interaction,
                                 GTlsDatabaseVerifyFlags flags,
                                 GCancellable           *cancellable,
                                 GError                **error)
{
  RidgePinDatabase *self = RIDGE_PIN_DATABASE (database);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return G_TLS_CERTIFICATE_GENERIC_ERROR;
  /* The leaf must be the pinned certificate itself: neither a CA nor the host name count. */
  return g_tls_certificate_is_same (chain, self->pinned) ? 0 : G_TLS_CERTIFICATE_UNKNOWN_CA;
}

static GTlsCertificate *
ridge_pin_database_lookup_certificate_issuer (GTlsDatabase           *database,
                                              GTlsCertificate        *certificate,
                                              GTlsInteraction        *interaction,
                                              GTlsDatabaseLookupFlags flags,
                                              GCancellable           *cancellable,
                                              GError                **error)
{
  return NULL;
}

static GList *
ridge_pin_database_lookup_certificates_issued_by (GTlsDatabase           *database,
                                                  GByteArray             *issuer_raw_dn,
                                                  GTlsInteraction        *interaction,
                                                  GTlsDatabaseLookupFlags flags,
                                                  GCancellable           *cancellable,
                                                  GError                **error)
{
  return NULL;
}

static void
ridge_pin_database_finalize (GObject *object)
{
  g_clear_object (&RIDGE_PIN_DATABASE (object)->pinned);
  G_OBJECT_CLASS (ridge_pin_database_parent_class)->finalize (object);
}

static void
ridge_pin_database_class_init (RidgePinDatabaseClass *klass)
{
  GTlsDatabaseClass *db_class = G_TLS_DATABASE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = ridge_pin_database_finalize;
  db_class->verify_chain = ridge_pin_database_verify_chain;
  db_class->lookup_certificate_issuer = ridge_pin_database_lookup_certificate_issuer;
  db_class->lookup_certificates_issued_by = ridge_pin_database_lookup_certificates_issued_by;
}

static void
ridge_pin_database_init (RidgePinDatabase *self)
{
}

/* ---- The exporter --------------------------------------------------------------------- */

struct _RidgeExporter {
  GObject             parent_instance;
  char               *store_path;
  RidgeExportProfile *profile;
  char               *token;
  guint               max_attempts;
  guint               timeout_s;
  guint               backoff_initial_ms;
  guint               backoff_max_ms;
  guint               max_retry_after_s;
  gboolean            running;
};

G_DEFINE_FINAL_TYPE (RidgeExporter, ridge_exporter, G_TYPE_OBJECT);

enum {
  SIGNAL_PROGRESS,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
ridge_exporter_finalize (GObject *object)
{
  RidgeExporter *self = RIDGE_EXPORTER (object);

  g_free (self->store_path);
  ridge_export_profile_free (self->profile);
  if (self->token)
    {
      memset (self->token, 0, strlen (self->token));
      g_free (self->token);
    }
  G_OBJECT_CLASS (ridge_exporter_parent_class)->finalize (object);
}

static void
ridge_exporter_class_init (RidgeExporterClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_exporter_finalize;

  /* After every batch and before every retry wait, on the run's main context. */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1,
                  RIDGE_TYPE_EXPORT_SUMMARY | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
ridge_exporter_init (RidgeExporter *self)
{
  self->max_attempts = 8;
  self->timeout_s = 30;
  self->backoff_initial_ms = 500;
  self->backoff_max_ms = 30000;
  self->max_retry_after_s = 300;
}

RidgeExporter *
ridge_exporter_new (RidgeStore               *store,
                    const RidgeExportProfile *profile,
                    const char               *token)
{
  RidgeExporter *self;

  g_return_val_if_fail (RIDGE_IS_STORE (store), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  self = g_object_new (RIDGE_TYPE_EXPORTER, NULL);
  self->store_path = g_strdup (ridge_store_get_path (store));
  self->profile = ridge_export_profile_copy (profile);
  self->token = g_strdup (token);
  return self;
}

const RidgeExportProfile *
ridge_exporter_get_profile (RidgeExporter *self)
{
  g_return_val_if_fail (RIDGE_IS_EXPORTER (self), NULL);
  return self->profile;
}

void
ridge_exporter_set_max_attempts (RidgeExporter *self,
                                 guint          max_attempts)
{
  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  self->max_attempts = MAX (max_attempts, 1);
}

void
ridge_exporter_set_timeout (RidgeExporter *self,
                            guint          seconds)
{
  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  self->timeout_s = MAX (seconds, 1);
}

void
ridge_exporter_set_backoff (RidgeExporter *self,
                            guint          initial_ms,
                            guint          max_ms)
{
  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  self->backoff_initial_ms = MAX (initial_ms, 1);
  self->backoff_max_ms = MAX (max_ms, self->backoff_initial_ms);
}

void
ridge_exporter_set_max_retry_after (RidgeExporter *self,
                                    guint          seconds)
{
  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  self->max_retry_after_s = seconds;
}

/* ---- One run (worker thread) ----------------------------------------------------------- */

typedef struct {
  RidgeExporter      *exporter;    /* ref, only for the signal on the caller's context */
  GMainContext       *context;     /* the caller's */
  char               *store_path;
  RidgeExportProfile *profile;
  char               *token;
  guint               max_attempts;
  guint               timeout_s;
  guint               backoff_initial_ms;
  guint               backoff_max_ms;
  guint               max_retry_after_s;
  RidgeExportQueue    queue;
  GStrv               user_ids;
  gboolean            dry_run;
  gboolean            test_only;
  /* results */
  RidgeExportSummary summary;
  char              *server_name;
  guint64            server_templates;
  /* worker state */
  SoupSession *session;
  GRand       *rand;
} RunData;

static void
run_data_free (RunData *d)
{
  g_clear_object (&d->exporter);
  g_clear_pointer (&d->context, g_main_context_unref);
  g_free (d->store_path);
  ridge_export_profile_free (d->profile);
  if (d->token)
    {
      memset (d->token, 0, strlen (d->token));
      g_free (d->token);
    }
  g_strfreev (d->user_ids);
  ridge_export_summary_clear (&d->summary);
  g_free (d->server_name);
  g_clear_object (&d->session);
  g_clear_pointer (&d->rand, g_rand_free);
  g_free (d);
}

typedef struct {
  RidgeExporter      *exporter;
  RidgeExportSummary *summary;
} ProgressCall;

static gboolean
emit_progress_cb (gpointer user_data)
{
  ProgressCall *c = user_data;

  g_signal_emit (c->exporter, signals[SIGNAL_PROGRESS], 0, c->summary);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *c = user_data;

  g_object_unref (c->exporter);
  ridge_export_summary_free (c->summary);
  g_free (c);
}

static void
emit_progress (RunData *d)
{
  ProgressCall *c = g_new0 (ProgressCall, 1);

  c->exporter = g_object_ref (d->exporter);
  c->summary = ridge_export_summary_copy (&d->summary);
  g_main_context_invoke_full (d->context, G_PRIORITY_DEFAULT, emit_progress_cb, c,
                              progress_call_free);
}

/* Sleeps ms, or less when cancellable fires (then FALSE + error). */
static gboolean
sleep_cancellable (guint         ms,
                   GCancellable *cancellable,
                   GError      **error)
{
  GPollFD pfd;

  if (cancellable && g_cancellable_make_pollfd (cancellable, &pfd))
    {
      gint64 end = g_get_monotonic_time () + (gint64)ms * 1000;
      gint64 left;
      while ((left = end - g_get_monotonic_time ()) > 0
             && !g_cancellable_is_cancelled (cancellable))
        g_poll (&pfd, 1, (int)((left + 999) / 1000));
      g_cancellable_release_fd (cancellable);
    }
  else
    g_usleep ((gulong)ms * 1000);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static SoupSession *
make_session (RunData *d,
              GError **error)
{
  SoupSession *session;
  g_autofree char *agent = g_strdup_printf ("Ridge/%s", PACKAGE_VERSION);

  session = soup_session_new_with_options ("timeout", d->timeout_s, "idle-timeout", 60,
                                           "user-agent", agent, NULL);
  if (d->profile->pinned_certificate)
    {
      g_autoptr (GTlsCertificate) pin =
        ridge_export_load_pin (d->profile->pinned_certificate, error);
      RidgePinDatabase *db;
      if (pin == NULL)
        {
          g_object_unref (session);
          return NULL;
        }
      db = g_object_new (RIDGE_TYPE_PIN_DATABASE, NULL);
      db->pinned = g_steal_pointer (&pin);
      soup_session_set_tls_database (session, G_TLS_DATABASE (db));
      g_object_unref (db);
    }
  return session;
}

/* How a failed attempt ends the run or not. */
typedef enum {
  ATTEMPT_OK,
  ATTEMPT_RETRY,   /* transient: wait and try the same batch again */
  ATTEMPT_FATAL,   /* stop the run now (TLS, token, a request the server calls malformed) */
  ATTEMPT_SMALLER, /* 413: halve the batch */
} AttemptResult;

/* Maps a libsoup/GIO error of a request; takes ownership of e. */
static AttemptResult
map_transport_error (RunData *d,
                     GError  *e,
                     GError **error)
{
  AttemptResult r = ATTEMPT_RETRY;
  const char *url = d->profile->url;

  if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, e);
      return ATTEMPT_FATAL;
    }
  if (e->domain == G_TLS_ERROR)
    {
      r = ATTEMPT_FATAL;
      if (g_error_matches (e, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE))
        {
          if (d->profile->pinned_certificate)
            ridge_export_set_error (error, RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH,
                                    "%s presented another certificate than %s; nothing was sent.",
                                    url,
                                    d->profile->pinned_certificate);
          else
            ridge_export_set_error (error, RIDGE_EXPORT_ERROR_TLS_UNTRUSTED,
                                    "%s presented a certificate the system's authorities do not vouch "
                                    "for; nothing was sent. If it is your own server's self-signed "
                                    "certificate, pin it in the profile.",
                                    url);
        }
      else
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_TLS_FAILED, "(%s: %s)", url, e->message);
    }
  else if (g_error_matches (e, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    ridge_export_set_error (error, RIDGE_EXPORT_ERROR_TIMED_OUT, "(%s, after %u s)", url,
                            d->timeout_s);
  else
    ridge_export_set_error (error, RIDGE_EXPORT_ERROR_UNREACHABLE, "(%s: %s)", url, e->message);
  g_error_free (e);
  return r;
}

/* Parses Retry-After (delta-seconds or an HTTP-date) into milliseconds; -1: none/unusable. */
static gint64
parse_retry_after (const char *value)
{
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) now = NULL;
  guint64 secs;

  if (value == NULL)
    return -1;
  while (g_ascii_isspace (*value))
    value++;
  if (g_ascii_isdigit (*value))
    {
      char *end = NULL;
      secs = g_ascii_strtoull (value, &end, 10);
      while (end && g_ascii_isspace (*end))
        end++;
      if (end == NULL || *end != '\0' || secs > 7 * 24 * 3600)
        return -1;
      return (gint64)secs * 1000;
    }
  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return MAX (g_date_time_difference (when, now) / 1000, 0);
}

/* The "message" of an API error body, if there is one (never the body itself). */
static char *
error_body_message (GBytes *body)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *o;
  const char *msg;
  gsize len = 0;
  const char *p = body ? g_bytes_get_data (body, &len) : NULL;

  if (p == NULL || len == 0 || len > 65536 || !json_parser_load_from_data (parser, p, len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  o = json_node_get_object (root);
  if (!json_object_has_member (o, "error")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (o, "error")))
    return NULL;
  o = json_object_get_object_member (o, "error");
  msg = json_object_has_member (o, "message") ? json_object_get_string_member_with_default (
    o, "message", NULL) : NULL;
  return msg ? g_utf8_make_valid (msg, MIN (strlen (msg), MAX_REASON)) : NULL;
}

/* Reads the whole body, at most limit bytes: NULL + error on a read error, NULL without
 * error when the body is larger (a hostile or broken server cannot fill the memory). */
static GBytes *
read_limited (GInputStream *stream,
              gsize         limit,
              GCancellable *cancellable,
              GError      **error)
{
  g_autoptr (GByteArray) buf = g_byte_array_new ();
  guint8 chunk[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);
      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buf->len + (gsize)n > limit)
        return NULL;
      g_byte_array_append (buf, chunk, (guint)n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buf));
}

/* Sends one request; on a non-2xx status maps it. retry_after_ms: the server's wish. */
static AttemptResult
send_request (RunData      *d,
              const char   *method,
              const char   *path,
              GBytes       *body,
              GBytes      **response,
              gint64       *retry_after_ms,
              GCancellable *cancellable,
              GError      **error)
{
  g_autofree char *base = g_strdup (d->profile->url);
  g_autofree char *uri = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *server_msg = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GInputStream) stream = NULL;
  GError *e = NULL;
  guint status;
  gsize n = strlen (base);

  *retry_after_ms = -1;
  while (n > 0 && base[n - 1] == '/')
    base[--n] = '\0';
  uri = g_strconcat (base, path, NULL);
  msg = soup_message_new (method, uri);
  if (msg == NULL)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_INVALID_PROFILE, "(%s)", uri);
      return ATTEMPT_FATAL;
    }
  auth = g_strconcat ("Bearer ", d->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept",
                                "application/json");
  memset (auth, 0, strlen (auth));
  if (body)
    soup_message_set_request_body_from_bytes (msg, "application/json", body);
  stream = soup_session_send (d->session, msg, cancellable, &e);
  if (stream == NULL)
    return map_transport_error (d, e, error);
  reply = read_limited (stream, MAX_RESPONSE, cancellable, &e);
  g_input_stream_close (stream, NULL, NULL);
  if (reply == NULL && e != NULL)
    return map_transport_error (d, e, error);
  if (reply == NULL)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL, "(an answer of more than %d MiB)",
                              MAX_RESPONSE / (1024 * 1024));
      return ATTEMPT_RETRY;
    }
  status = soup_message_get_status (msg);
  if (status >= 200 && status < 300)
    {
      *response = g_steal_pointer (&reply);
      return ATTEMPT_OK;
    }
  server_msg = error_body_message (reply);
#define DETAIL server_msg ? " (" : "", server_msg ? server_msg : "", server_msg ? ")" : ""
  switch (status)
    {
      case SOUP_STATUS_UNAUTHORIZED:
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_TOKEN_REFUSED,
                                "Set the profile's token again%s%s%s.",
                                DETAIL);
        return ATTEMPT_FATAL;
      case SOUP_STATUS_FORBIDDEN:
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_FORBIDDEN, "HTTP 403%s%s%s.", DETAIL);
        return ATTEMPT_FATAL;
      case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_REQUEST,
                                "HTTP 413: the batch is too large%s%s%s.",
                                DETAIL);
        return ATTEMPT_SMALLER;
      case 429: /* Too Many Requests */
      case SOUP_STATUS_SERVICE_UNAVAILABLE:
        *retry_after_ms = parse_retry_after (
          soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_BUSY, "HTTP %u%s%s%s.", status, DETAIL);
        return ATTEMPT_RETRY;
      default:
        if (status >= 500)
          {
            ridge_export_set_error (error, RIDGE_EXPORT_ERROR_SERVER, "HTTP %u%s%s%s.", status,
                                    DETAIL);
            return ATTEMPT_RETRY;
          }
        ridge_export_set_error (error, RIDGE_EXPORT_ERROR_REQUEST, "HTTP %u%s%s%s.", status,
                                DETAIL);
        return ATTEMPT_FATAL;
    }
#undef DETAIL
}

static JsonObject *
parse_object (GBytes  *body,
              GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;
  gsize len = 0;
  const char *p = g_bytes_get_data (body, &len);
  GError *local = NULL;

  if (len > MAX_RESPONSE || p == NULL || !json_parser_load_from_data (parser, p, len, &local))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL, "(not JSON%s%s)",
                              local ? ": " : "",
                              local ? local->message : "");
      g_clear_error (&local);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL, "(not a JSON object)");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

static char *
rfc3339_ms (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  {
    g_autofree char *base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
    return g_strdup_printf ("%s.%03dZ", base, (int)(ms % 1000));
  }
}

/* One item of a batch body: the template's ISO record and its metadata. */
typedef struct {
  RidgeStoreOutboxItem *item;
  gboolean              skip;  /* finished locally (superseded, failed) */
} BatchItem;

static gboolean
add_item_json (RidgeStore           *store,
               RunData              *d,
               RidgeStoreOutboxItem *it,
               JsonBuilder          *b,
               gboolean             *skipped,
               GError              **error)
{
  g_autoptr (RidgeStoreTemplate) t = NULL;
  g_autoptr (GBytes) iso = NULL;
  g_auto (GStrv) prov = NULL;
  g_autofree char *data64 = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *captured = NULL;
  g_autoptr (GError) local = NULL;
  const char *serial = NULL, *operator_name = NULL;
  g_auto (GStrv) fields = NULL;
  gsize len;
  const guint8 *p;

  *skipped = FALSE;
  t = ridge_store_get_template (store, it->template_id, &local);
  if (t == NULL)
    {
      if (g_error_matches (local, RIDGE_STORE_ERROR, RIDGE_STORE_ERROR_NOT_FOUND))
        {
          /* Deleted since it was queued: the cascade removes the item in the same write, so
           * this is only a guard (a queued item must never be skipped forever). */
          *skipped = TRUE;
          g_clear_error (&local);
          if (!ridge_store_outbox_finish (store, it->id, RIDGE_OUTBOX_FAILED, NULL,
                                          "The template was deleted", &local) && local)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (t->record->version != it->template_version)
    {
      /* A newer version replaced it: that one is sent instead, under its own key. */
      *skipped = TRUE;
      if (!ridge_store_outbox_finish (store, it->id, RIDGE_OUTBOX_SUPERSEDED, NULL,
                                      "A newer version of the template replaced it", &local)
          && local)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return ridge_store_outbox_enqueue (store, it->template_id, d->profile->name, error) > 0;
    }
  if (t->iso_record)
    iso = g_bytes_ref (t->iso_record);
  else if (t->native)
    {
      g_autoptr (GBytes) native = NULL;
      if (!ridge_store_convert_record (RIDGE_TPL_NATIVE, t->native, t->record->finger, &iso,
                                       &native, &local))
        g_clear_pointer (&iso, g_bytes_unref);
    }
  if (iso == NULL)
    {
      *skipped = TRUE;
      g_clear_error (&local);
      if (!ridge_store_outbox_finish (store, it->id, RIDGE_OUTBOX_FAILED, NULL,
                                      "No ISO/IEC 19794-2 record can be made of the template",
                                      &local) && local)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      return TRUE;
    }
  prov = ridge_store_get_provenance (store, it->template_id, NULL);
  if (prov && prov[0])
    {
      fields = g_strsplit (prov[g_strv_length (prov) - 1], "|", 4);
      if (g_strv_length (fields) == 4)
        {
          serial = *fields[1] ? fields[1] : NULL;
          operator_name = *fields[2] ? fields[2] : NULL;
        }
    }
  p = g_bytes_get_data (iso, &len);
  data64 = g_base64_encode (p, len);
  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, iso);
  captured = rfc3339_ms (t->record->updated_ms);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "idempotency_key");
  json_builder_add_string_value (b, it->idempotency_key);
  json_builder_set_member_name (b, "user");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, t->record->user_external_id);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, t->record->display_name ? t->record->display_name : "");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "finger");
  json_builder_add_int_value (b, t->record->finger);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, "iso-19794-2-2005");
  json_builder_set_member_name (b, "data");
  json_builder_add_string_value (b, data64);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha);
  json_builder_set_member_name (b, "quality");
  json_builder_add_int_value (b, t->record->quality);
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, t->record->samples);
  json_builder_set_member_name (b, "source");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "terminal");
  if (serial)
    json_builder_add_string_value (b, serial);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "captured_at");
  json_builder_add_string_value (b, captured);
  json_builder_set_member_name (b, "operator");
  if (operator_name)
    json_builder_add_string_value (b, operator_name);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return TRUE;
}

static char *
reason_of (JsonObject *result)
{
  JsonObject *err;
  const char *code, *message;

  if (!json_object_has_member (result, "error")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "error")))
    return g_strdup ("(no reason given)");
  err = json_object_get_object_member (result, "error");
  code = json_object_get_string_member_with_default (err, "code", "");
  message = json_object_get_string_member_with_default (err, "message", "");
  {
    g_autofree char *text = g_strdup_printf ("%s%s%s", message, *code ? " — " : "", code);
    return g_utf8_make_valid (text, MIN (strlen (text), MAX_REASON));
  }
}

static char *
duplicate_reason (JsonObject *result,
                  char      **remote_id)
{
  JsonObject *dup, *user = NULL;
  const char *uid = "", *uname = "";
  gint64 finger = -1;
  double score = 0;

  *remote_id = NULL;
  if (!json_object_has_member (result, "duplicate_of")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "duplicate_of")))
    return g_strdup ("The same finger is enrolled under another user on the server");
  dup = json_object_get_object_member (result, "duplicate_of");
  *remote_id = g_strdup (json_object_get_string_member_with_default (dup, "id", NULL));
  if (*remote_id && (strlen (*remote_id) > 200 || !g_utf8_validate (*remote_id, -1, NULL)))
    g_clear_pointer (remote_id, g_free);
  if (json_object_has_member (dup, "user")
      && JSON_NODE_HOLDS_OBJECT (json_object_get_member (dup, "user")))
    user = json_object_get_object_member (dup, "user");
  if (user)
    {
      uid = json_object_get_string_member_with_default (user, "id", "");
      uname = json_object_get_string_member_with_default (user, "name", "");
    }
  finger = json_object_get_int_member_with_default (dup, "finger", -1);
  score = json_object_get_double_member_with_default (dup, "score", 0);
  {
    g_autofree char *text = g_strdup_printf ("The same finger is enrolled on the server under "
                                             "%s (%s), finger %" G_GINT64_FORMAT ", score %.0f",
                                             uname, uid, finger, score);
    return g_utf8_make_valid (text, MIN (strlen (text), MAX_REASON));
  }
}

/* Writes the per-item answers in one transaction. FALSE: the answer does not fit the
 * request (nothing written) or the store failed. */
static gboolean
apply_results (RidgeStore *store,
               RunData    *d,
               GPtrArray  *sent,
               JsonObject *answer,
               GError    **error)
{
  JsonArray *results;
  RidgeExportSummary delta = { 0 };

  if (!json_object_has_member (answer, "results")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "results")))
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL, "(no “results” array)");
      return FALSE;
    }
  results = json_object_get_array_member (answer, "results");
  if (json_array_get_length (results) != sent->len)
    {
      ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL, "(%u results for %u items)",
                              json_array_get_length (results), sent->len);
      return FALSE;
    }
  /* Check everything before writing anything. */
  for (guint i = 0; i < sent->len; i++)
    {
      RidgeStoreOutboxItem *it = sent->pdata[i];
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *r;
      const char *key, *status;
      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL,
                                  "(result %u is not an object)", i);
          return FALSE;
        }
      r = json_node_get_object (node);
      key = json_object_get_string_member_with_default (r, "idempotency_key", NULL);
      status = json_object_get_string_member_with_default (r, "status", NULL);
      if (g_strcmp0 (key, it->idempotency_key) != 0 || status == NULL
          || (strcmp (status, "created") != 0 && strcmp (status, "replayed") != 0
              && strcmp (status, "duplicate") != 0 && strcmp (status, "rejected") != 0
              && strcmp (status, "conflict") != 0))
        {
          ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL,
                                  "(result %u: another key or an unknown status)", i);
          return FALSE;
        }
      if (strcmp (status, "created") == 0 || strcmp (status, "replayed") == 0)
        {
          const char *id = json_object_get_string_member_with_default (r, "id", NULL);
          if (id == NULL || *id == '\0' || strlen (id) > 200 || !g_utf8_validate (id, -1, NULL))
            {
              ridge_export_set_error (error, RIDGE_EXPORT_ERROR_PROTOCOL,
                                      "(result %u has no usable id)", i);
              return FALSE;
            }
        }
    }
  if (!ridge_store_begin (store, error))
    return FALSE;
  for (guint i = 0; i < sent->len; i++)
    {
      RidgeStoreOutboxItem *it = sent->pdata[i];
      JsonObject *r = json_array_get_object_element (results, i);
      const char *status = json_object_get_string_member (r, "status");
      g_autofree char *reason = NULL;
      g_autofree char *remote = NULL;
      RidgeOutboxFinal final;
      GError *local = NULL;

      if (strcmp (status, "created") == 0 || strcmp (status, "replayed") == 0)
        {
          final = RIDGE_OUTBOX_DONE;
          remote = g_strdup (json_object_get_string_member (r, "id"));
          if (status[0] == 'c')
            delta.created++;
          else
            delta.replayed++;
        }
      else if (strcmp (status, "duplicate") == 0)
        {
          final = RIDGE_OUTBOX_DUPLICATE;
          reason = duplicate_reason (r, &remote);
          delta.duplicates++;
        }
      else if (strcmp (status, "rejected") == 0)
        {
          final = RIDGE_OUTBOX_REJECTED;
          reason = reason_of (r);
          delta.rejected++;
        }
      else
        {
          final = RIDGE_OUTBOX_CONFLICT;
          reason = reason_of (r);
          delta.conflicts++;
        }
      if (!ridge_store_outbox_finish (store, it->id, final, remote, reason, &local) && local)
        {
          g_propagate_error (error, local);
          ridge_store_rollback (store);
          return FALSE;
        }
    }
  if (!ridge_store_commit (store, error))
    {
      ridge_store_rollback (store);
      return FALSE;
    }
  d->summary.created += delta.created;
  d->summary.replayed += delta.replayed;
  d->summary.duplicates += delta.duplicates;
  d->summary.rejected += delta.rejected;
  d->summary.conflicts += delta.conflicts;
  d->summary.sent += sent->len;
  return TRUE;
}

static gint64
count_queued (RidgeStore *store,
              const char *destination,
              GError    **error)
{
  g_autoptr (GPtrArray) st = ridge_store_export_status (store, destination, error);

  if (st == NULL || st->len == 0)
    return st ? 0 : -1;
  return ((RidgeStoreExportStatus *)st->pdata[0])->queued;
}

/* The send loop; FALSE + error when the run stops early. */
static gboolean
send_all (RidgeStore   *store,
          RunData      *d,
          GCancellable *cancellable,
          GError      **error)
{
  RidgeBackoff backoff;
  guint batch = d->profile->batch_size;
  guint failures = 0;

  ridge_backoff_init (&backoff, d->backoff_initial_ms, d->backoff_max_ms, 2.0, 0.5);
  for (;;)
    {
      g_autoptr (GPtrArray) items = NULL;
      g_autoptr (GPtrArray) sent = g_ptr_array_new ();
      g_autoptr (JsonBuilder) b = json_builder_new ();
      g_autoptr (JsonGenerator) gen = NULL;
      g_autoptr (GBytes) body = NULL;
      g_autoptr (GBytes) reply = NULL;
      g_autoptr (JsonObject) answer = NULL;
      g_autoptr (GArray) ids = NULL;
      GError *attempt_error = NULL;
      AttemptResult r;
      gint64 retry_after = -1;
      guint delay;
      char *text;
      gsize text_len;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      items = ridge_store_outbox_queued (store, d->profile->name, 0, batch, error);
      if (items == NULL)
        return FALSE;
      if (items->len == 0)
        return TRUE;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "items");
      json_builder_begin_array (b);
      for (guint i = 0; i < items->len; i++)
        {
          gboolean skipped;
          if (!add_item_json (store, d, items->pdata[i], b, &skipped, error))
            return FALSE;
          if (!skipped)
            g_ptr_array_add (sent, items->pdata[i]);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      if (sent->len == 0)
        continue;
      gen = json_generator_new ();
      {
        g_autoptr (JsonNode) root = json_builder_get_root (b);
        json_generator_set_root (gen, root);
      }
      text = json_generator_to_data (gen, &text_len);
      body = g_bytes_new_take (text, text_len);

      r = send_request (d, "POST", "/v1/batches", body, &reply, &retry_after, cancellable,
                        &attempt_error);
      if (r == ATTEMPT_OK)
        {
          answer = parse_object (reply, &attempt_error);
          if (answer && apply_results (store, d, sent, answer, &attempt_error))
            {
              failures = 0;
              ridge_backoff_reset (&backoff);
              d->summary.attempt = 0;
              d->summary.retry_in_ms = 0;
              d->summary.remaining = d->summary.total > d->summary.sent
                                     ? d->summary.total - d->summary.sent : 0;
              emit_progress (d);
              continue;
            }
          if (attempt_error->domain != RIDGE_EXPORT_ERROR)
            {
              /* The store failed: nothing more can be recorded. */
              g_propagate_error (error, attempt_error);
              return FALSE;
            }
          r = ATTEMPT_RETRY;
        }
      if (r == ATTEMPT_FATAL)
        {
          g_propagate_error (error, attempt_error);
          return FALSE;
        }
      if (r == ATTEMPT_SMALLER && batch > 1)
        {
          batch = MAX (batch / 2, 1);
          g_clear_error (&attempt_error);
          continue;
        }
      else if (r == ATTEMPT_SMALLER)
        {
          g_propagate_error (error, attempt_error);
          return FALSE;
        }

      /* A transient failure: the items stay queued with the reason. */
      failures++;
      if (retry_after >= 0)
        delay = (guint)MIN (retry_after, (gint64)G_MAXUINT);
      else
        delay = ridge_backoff_next (&backoff, d->rand);
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < sent->len; i++)
        g_array_append_val (ids, ((RidgeStoreOutboxItem *)sent->pdata[i])->id);
      if (!ridge_store_outbox_retry (store, (gint64 *)(void *)ids->data, ids->len,
                                     attempt_error->message,
                                     ridge_store_now_ms () + delay, error))
        {
          g_error_free (attempt_error);
          return FALSE;
        }
      g_free (d->summary.last_error);
      d->summary.last_error = g_strdup (attempt_error->message);
      if (failures >= d->max_attempts
          || (retry_after >= 0 && retry_after > (gint64)d->max_retry_after_s * 1000))
        {
          g_autofree char *msg = NULL;
          if (failures >= d->max_attempts)
            msg = g_strdup_printf ("%s (gave up after %u attempts; the items stay queued)",
                                   attempt_error->message, failures);
          else
            msg = g_strdup_printf ("%s (it asks to wait %d s; the items stay queued)",
                                   attempt_error->message, (int)(retry_after / 1000));
          g_set_error_literal (error, attempt_error->domain, attempt_error->code, msg);
          g_error_free (attempt_error);
          return FALSE;
        }
      g_debug ("attempt %u failed (%s); retry in %u ms", failures, attempt_error->message,
               delay);
      g_error_free (attempt_error);
      d->summary.attempt = failures;
      d->summary.retry_in_ms = delay;
      emit_progress (d);
      if (!sleep_cancellable (delay, cancellable, error))
        return FALSE;
    }
}

static gboolean
test_status (RunData      *d,
             GCancellable *cancellable,
             GError      **error)
{
  RidgeBackoff backoff;
  guint failures = 0;

  ridge_backoff_init (&backoff, d->backoff_initial_ms, d->backoff_max_ms, 2.0, 0.5);
  for (;;)
    {
      g_autoptr (GBytes) reply = NULL;
      g_autoptr (JsonObject) o = NULL;
      GError *attempt_error = NULL;
      gint64 retry_after = -1;
      AttemptResult r = send_request (d, "GET", "/v1/status", NULL, &reply, &retry_after,
                                      cancellable, &attempt_error);
      if (r == ATTEMPT_OK)
        {
          o = parse_object (reply, &attempt_error);
          if (o && json_object_get_int_member_with_default (o, "api", 0) == 1)
            {
              d->server_name = g_strdup (json_object_get_string_member_with_default (
                                           o, "server", "?"));
              d->server_templates = MAX (json_object_get_int_member_with_default (
                                           o, "templates", 0), 0);
              return TRUE;
            }
          if (o)
            ridge_export_set_error (&attempt_error, RIDGE_EXPORT_ERROR_PROTOCOL, "(no “api”: 1)");
          r = ATTEMPT_RETRY;
        }
      if (r != ATTEMPT_RETRY || ++failures >= d->max_attempts
          || retry_after > (gint64)d->max_retry_after_s * 1000)
        {
          g_propagate_error (error, attempt_error);
          return FALSE;
        }
      g_error_free (attempt_error);
      if (!sleep_cancellable (retry_after >= 0 ? (guint)retry_after
                              : ridge_backoff_next (&backoff, d->rand), cancellable, error))
        return FALSE;
    }
}

static void
run_thread (GTask        *task,
            gpointer      source,
            gpointer      task_data,
            GCancellable *cancellable)
{
  RunData *d = task_data;
  g_autoptr (GMainContext) ctx = g_main_context_new ();
  g_autoptr (RidgeStore) store = NULL;
  GError *error = NULL;
  gint64 started = ridge_store_now_ms ();
  gint64 queued;
  gboolean ok = FALSE;

  g_main_context_push_thread_default (ctx);
  d->rand = g_rand_new ();
  if (!d->test_only)
    {
      store = ridge_store_new (d->store_path, &error);
      if (store == NULL)
        goto out;
    }
  if (d->test_only || !d->dry_run)
    {
      d->session = make_session (d, &error);
      if (d->session == NULL)
        goto out;
    }
  if (d->test_only)
    {
      ok = test_status (d, cancellable, &error);
      goto out;
    }

  if (d->dry_run && !ridge_store_begin (store, &error))
    goto out;
  if (d->queue != RIDGE_EXPORT_QUEUE_NONE)
    {
      gint64 n = ridge_store_outbox_enqueue_all (store, d->profile->name,
                                                 d->queue == RIDGE_EXPORT_QUEUE_USERS
                                                 ? (const char *const *)d->user_ids : NULL,
                                                 &error);
      if (n < 0)
        {
          if (d->dry_run)
            ridge_store_rollback (store);
          goto out;
        }
      d->summary.queued_now = n;
    }
  queued = count_queued (store, d->profile->name, &error);
  if (d->dry_run)
    ridge_store_rollback (store);
  if (queued < 0)
    goto out;
  d->summary.total = queued;
  d->summary.remaining = queued;
  if (d->dry_run)
    {
      ok = TRUE;
      goto out;
    }
  emit_progress (d);
  /* GET /v1/status first: TLS, token and API level are checked before any template goes
   * out, and a run with nothing queued still reports a bad profile. */
  ok = test_status (d, cancellable, &error) && send_all (store, d, cancellable, &error);
  d->summary.remaining = MAX (count_queued (store, d->profile->name, NULL), 0);
  d->summary.retry_in_ms = 0;
  {
    GError *local = NULL;
    if (!ridge_store_set_export_run (store, d->profile->name, started, ridge_store_now_ms (),
                                     ok ? NULL : error->message, &local))
      {
        g_warning ("cannot record the export run: %s", local->message);
        g_error_free (local);
      }
  }

out:
  g_clear_object (&d->session);
  g_main_context_pop_thread_default (ctx);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static RunData *
run_data_new (RidgeExporter *self)
{
  RunData *d = g_new0 (RunData, 1);

  d->exporter = g_object_ref (self);
  d->context = g_main_context_ref_thread_default ();
  d->store_path = g_strdup (self->store_path);
  d->profile = ridge_export_profile_copy (self->profile);
  d->token = g_strdup (self->token);
  d->max_attempts = self->max_attempts;
  d->timeout_s = self->timeout_s;
  d->backoff_initial_ms = self->backoff_initial_ms;
  d->backoff_max_ms = self->backoff_max_ms;
  d->max_retry_after_s = self->max_retry_after_s;
  return d;
}

static gboolean
check_ready (RidgeExporter *self,
             GTask         *task,
             gboolean       need_token)
{
  GError *error = NULL;

  if (self->running)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "An export to %s is already running", self->profile->name);
      return FALSE;
    }
  if (!ridge_export_profile_validate (self->profile, &error))
    {
      g_task_return_error (task, error);
      return FALSE;
    }
  if (need_token && (self->token == NULL || *self->token == '\0'))
    {
      ridge_export_set_error (&error, RIDGE_EXPORT_ERROR_NO_TOKEN, "(profile “%s”)",
                              self->profile->name);
      g_task_return_error (task, error);
      return FALSE;
    }
  return TRUE;
}

static void
run_done (RidgeExporter *self,
          GParamSpec    *pspec,
          GTask         *task)
{
  self->running = FALSE;
}

void
ridge_exporter_test_async (RidgeExporter      *self,
                           GCancellable       *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  RunData *d;

  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_exporter_test_async);
  if (!check_ready (self, task, TRUE))
    return;
  d = run_data_new (self);
  d->test_only = TRUE;
  g_task_set_task_data (task, d, (GDestroyNotify)run_data_free);
  g_task_run_in_thread (task, run_thread);
}

char *
ridge_exporter_test_finish (RidgeExporter *self,
                            GAsyncResult  *result,
                            guint64       *server_templates,
                            GError       **error)
{
  RunData *d;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  d = g_task_get_task_data (G_TASK (result));
  if (server_templates)
    *server_templates = d->server_templates;
  return g_strdup (d->server_name);
}

void
ridge_exporter_run_async (RidgeExporter      *self,
                          RidgeExportQueue    queue,
                          const char *const  *user_ids,
                          gboolean            dry_run,
                          GCancellable       *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer            user_data)
{
  g_autoptr (GTask) task = NULL;
  RunData *d;

  g_return_if_fail (RIDGE_IS_EXPORTER (self));
  g_return_if_fail (queue != RIDGE_EXPORT_QUEUE_USERS || user_ids != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ridge_exporter_run_async);
  if (!check_ready (self, task, !dry_run))
    return;
  d = run_data_new (self);
  d->queue = queue;
  d->user_ids = user_ids ? g_strdupv ((char **)user_ids) : NULL;
  d->dry_run = dry_run;
  g_task_set_task_data (task, d, (GDestroyNotify)run_data_free);
  self->running = TRUE;
  /* Cleared by _finish, or when the task completes without one. */
  g_signal_connect_swapped (task, "notify::completed", G_CALLBACK (run_done), self);
  g_task_run_in_thread (task, run_thread);
}

gboolean
ridge_exporter_run_finish (RidgeExporter      *self,
                           GAsyncResult       *result,
                           RidgeExportSummary *summary,
                           GError            **error)
{
  RunData *d;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  self->running = FALSE;
  d = g_task_get_task_data (G_TASK (result));
  if (summary)
    {
      *summary = d->summary;
      summary->last_error = g_strdup (d->summary.last_error);
    }
  return g_task_propagate_boolean (G_TASK (result), error);
}
