/* test-export-server.c — ridge-test-server against a libsoup 3 client over HTTPS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test starts ridge-test-server (a real process, a fresh SQLite file, a self-signed
 * certificate made by make-test-cert.sh for this run) and talks to it with a SoupSession
 * that pins that certificate: status, tokens, created → replayed, conflicts, hostile
 * records, the biometric duplicate check with synthetic prints, limits, pagination and
 * deletion, kill -9 and --exit-after restarts, injected faults, and TLS pinning.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include "engine/ridge-engine.h"
#include "engine/ridge-fmr.h"

#define TOKEN "test-token-0123456789"

static const char *server_exe;
static char *work_dir;         /* this run's folder in the build dir */
static GTlsCertificate *cert;  /* the server's certificate (pinned) */
static GTlsCertificate *other_cert;
static char *cert_path, *key_path;

/* ---- Server process ------------------------------------------------------------------ */

typedef struct {
  GSubprocess *proc;
  guint        port;
  char        *db;
} Server;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
new_db_path (void)
{
  static int n;

  return g_strdup_printf ("%s/db-%d.sqlite", work_dir, ++n);
}

/* Starts the server on db (port 0: a free one); extra: NULL-terminated options. */
static void
server_start (Server      *s,
              guint        port,
              const char **extra)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;

  if (s->db == NULL)
    s->db = new_db_path ();
  g_ptr_array_add (argv, g_strdup (server_exe));
  g_ptr_array_add (argv, g_strdup_printf ("--port=%u", port));
  g_ptr_array_add (argv, g_strdup_printf ("--cert=%s", cert_path));
  g_ptr_array_add (argv, g_strdup_printf ("--key=%s", key_path));
  g_ptr_array_add (argv, g_strdup ("--token=" TOKEN));
  g_ptr_array_add (argv, g_strdup_printf ("--db=%s", s->db));
  for (int i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "ridge-test-server: listening on https://127.0.0.1:"));
  s->port = (guint)atoi (strrchr (line, ':') + 1);
  g_assert_cmpuint (s->port, >, 0);
  if (port != 0)
    g_assert_cmpuint (s->port, ==, port);
}

static void
server_kill (Server *s)
{
  if (s->proc == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGKILL);
  g_subprocess_wait (s->proc, NULL, NULL);
  g_clear_object (&s->proc);
}

/* SIGTERM and a clean exit (status 0). */
static void
server_stop (Server *s)
{
  g_autoptr (GError) error = NULL;

  if (s->proc == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGTERM);
  g_subprocess_wait_check (s->proc, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&s->proc);
}

static void
server_clear (Server *s)
{
  server_stop (s);
  g_clear_pointer (&s->db, g_free);
}

/* ---- Client -------------------------------------------------------------------------- */

static gboolean
accept_pinned (SoupMessage         *msg,
               GTlsCertificate     *peer,
               GTlsCertificateFlags errors,
               gpointer             pinned)
{
  return pinned != NULL && g_tls_certificate_is_same (peer, pinned);
}

typedef struct {
  guint     status;      /* 0 if the request failed (transport, TLS) */
  JsonNode *body;        /* parsed JSON, or NULL */
  char     *retry_after;
  GError   *error;       /* transport error */
} Reply;

static void
reply_clear (Reply *r)
{
  g_clear_pointer (&r->body, json_node_unref);
  g_clear_pointer (&r->retry_after, g_free);
  g_clear_error (&r->error);
  r->status = 0;
}

static SoupSession *
session_new (guint timeout_s)
{
  return soup_session_new_with_options ("timeout", timeout_s, "idle-timeout", 0, NULL);
}

/* One request; token NULL: no Authorization header. pinned NULL: no certificate is
 * accepted beyond the system CAs' verdict. */
static void
request_full (SoupSession     *session,
              guint            port,
              const char      *method,
              const char      *path,
              const char      *token,
              const char      *content_type,
              const char      *body,
              GTlsCertificate *pinned,
              Reply           *out)
{
  g_autofree char *uri = g_strdup_printf ("https://127.0.0.1:%u%s", port, path);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) response = NULL;
  gsize len = 0;
  const char *data;

  g_assert_nonnull (msg);
  memset (out, 0, sizeof *out);
  g_signal_connect (msg, "accept-certificate", G_CALLBACK (accept_pinned), pinned);
  if (token != NULL)
    {
      g_autofree char *h = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", h);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }
  response = soup_session_send_and_read (session, msg, NULL, &out->error);
  if (response == NULL)
    return;
  out->status = soup_message_get_status (msg);
  out->retry_after = g_strdup (soup_message_headers_get_one (
                                 soup_message_get_response_headers (msg), "Retry-After"));
  data = g_bytes_get_data (response, &len);
  if (len > 0)
    out->body = json_from_string (data, NULL);
}

static void
request (SoupSession *session,
         guint        port,
         const char  *method,
         const char  *path,
         const char  *body,
         Reply       *out)
{
  request_full (session, port, method, path, TOKEN, "application/json", body, cert, out);
}

static JsonObject *
body_object (Reply *r)
{
  g_assert_nonnull (r->body);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->body));
  return json_node_get_object (r->body);
}

static void
assert_error (Reply      *r,
              guint       status,
              const char *code)
{
  JsonObject *err;

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, status);
  err = json_object_get_object_member (body_object (r), "error");
  g_assert_nonnull (err);
  g_assert_cmpstr (json_object_get_string_member (err, "code"), ==, code);
  g_assert_cmpuint (strlen (json_object_get_string_member (err, "message")), >, 5);
}

static gint64
server_count (SoupSession *session,
              guint        port)
{
  Reply r;
  gint64 n;

  request (session, port, "GET", "/v1/status", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  n = json_object_get_int_member (body_object (&r), "templates");
  reply_clear (&r);
  return n;
}

/* ---- Items --------------------------------------------------------------------------- */

typedef struct {
  char   *key;
  char   *user;
  char   *name;
  int     finger;
  GBytes *record;
} TestItem;

static void
test_item_free (TestItem *it)
{
  g_free (it->key);
  g_free (it->user);
  g_free (it->name);
  g_bytes_unref (it->record);
  g_free (it);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestItem, test_item_free)

static GBytes *
encode_template (const RidgeTemplate * t,
                 int finger)
{
  RidgeFmrViewInfo info = { .finger_position = (uint8_t)finger };
  guint8 buf[8192];
  size_t len = 0;

  g_assert_cmpint (ridge_fmr_encode_template (t, RIDGE_FMR_FORMAT_ISO, &info, buf, sizeof buf,
                                              &len), ==, RIDGE_FMR_OK);
  return g_bytes_new (buf, len);
}

/* A template of 40 pseudo-random minutiae (seeded): distinct fingers that never match. */
static GBytes *
random_record (guint32 seed,
               int     finger)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  g_autofree RidgeTemplate *t = g_new0 (RidgeTemplate, 1);

  t->width = 400;
  t->height = 400;
  t->dpi = 500;
  t->quality = 70;
  t->n_minutiae = 40;
  for (int i = 0; i < t->n_minutiae; i++)
    {
      t->minutiae[i].x = (float)g_rand_int_range (rand, 20, 380);
      t->minutiae[i].y = (float)g_rand_int_range (rand, 20, 380);
      t->minutiae[i].angle = (float)g_rand_double_range (rand, 0, 2 * G_PI - 0.01);
      t->minutiae[i].type = (uint8_t)g_rand_int_range (rand, 1, 3);
      t->minutiae[i].quality = 60;
    }
  return encode_template (t, finger);
}

/* Impression `impression` of synthetic finger finger_seed, extracted by the engine. */
static GBytes *
synth_record (guint32 finger_seed,
              guint32 impression,
              int     finger)
{
  RidgeImage img = { 0 };
  RidgeFeatures *f = NULL;
  g_autofree RidgeTemplate *t = g_new0 (RidgeTemplate, 1);
  RidgeSynthParams params;
  GBytes *out;

  ridge_synth_params_init (&params);
  params.partial = 0.05f;
  params.noise = 0.2f;
  g_assert_cmpint (ridge_synth_impression (finger_seed, impression, &params, &img, NULL, 0,
                                           NULL), ==, RIDGE_ENGINE_OK);
  g_assert_cmpint (ridge_extract (&img, NULL, &f), ==, RIDGE_ENGINE_OK);
  g_assert_cmpint (ridge_template_from_features (f, img.width, img.height, img.dpi, t), ==,
                   RIDGE_ENGINE_OK);
  out = encode_template (t, finger);
  ridge_features_free (f);
  ridge_image_clear (&img);
  return out;
}

static TestItem *
test_item_new (const char *key,
               const char *user,
               int         finger,
               GBytes     *record)
{
  TestItem *it = g_new0 (TestItem, 1);

  it->key = g_strdup (key);
  it->user = g_strdup (user);
  it->name = g_strdup_printf ("Name of %s", user);
  it->finger = finger;
  it->record = record;
  return it;
}

static char *
sha256_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* One item as JSON text; sha NULL: the record's real digest. */
static void
append_item (GString        *s,
             const TestItem *it,
             const char     *sha)
{
  gsize len = 0;
  const guchar *data = g_bytes_get_data (it->record, &len);
  g_autofree char *b64 = g_base64_encode (data, len);
  g_autofree char *real_sha = sha256_hex (it->record);

  g_string_append_printf (s, "{\"idempotency_key\":\"%s\",\"user\":{\"id\":\"%s\",\"name\":\"%s\"},"
                             "\"finger\":%d,\"format\":\"iso-19794-2-2005\",\"data\":\"%s\","
                             "\"sha256\":\"%s\",\"quality\":70,\"samples\":1,"
                             "\"source\":{\"terminal\":\"RT-TEST\",\"captured_at\":"
                             "\"2026-11-25T09:14:03Z\",\"operator\":null}}",
                          it->key, it->user, it->name, it->finger, b64, sha ? sha : real_sha);
}

static char *
batch_json (TestItem **items,
            guint      n)
{
  GString *s = g_string_new ("{\"items\":[");

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (s, ',');
      append_item (s, items[i], NULL);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static JsonArray *
results_of (Reply *r,
            guint  n)
{
  JsonArray *results;

  g_assert_no_error (r->error);
  g_assert_cmpuint (r->status, ==, 200);
  results = json_object_get_array_member (body_object (r), "results");
  g_assert_nonnull (results);
  g_assert_cmpuint (json_array_get_length (results), ==, n);
  return results;
}

static const char *
result_status (JsonArray *results,
               guint      i)
{
  return json_object_get_string_member (json_array_get_object_element (results, i), "status");
}

static const char *
result_id (JsonArray *results,
           guint      i)
{
  return json_object_get_string_member (json_array_get_object_element (results, i), "id");
}

static const char *
result_error_code (JsonArray *results,
                   guint      i)
{
  JsonObject *o = json_array_get_object_element (results, i);
  return json_object_get_string_member (json_object_get_object_member (o, "error"), "code");
}

/* Posts one item and returns its result object (owned by r). */
static JsonObject *
post_one (SoupSession    *session,
          guint           port,
          const TestItem *it,
          Reply          *r)
{
  TestItem *items[1] = { (TestItem *)it };
  g_autofree char *body = batch_json (items, 1);

  request (session, port, "POST", "/v1/batches", body, r);
  return json_array_get_object_element (results_of (r, 1), 0);
}

/* ---- Tests --------------------------------------------------------------------------- */

static void
test_status (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  Reply r;
  JsonObject *o;
  struct stat st;
  g_autofree char *wal = NULL;

  server_start (&s, 0, NULL);
  request (session, s.port, "GET", "/v1/status", NULL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  o = body_object (&r);
  g_assert_cmpint (json_object_get_int_member (o, "api"), ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (o, "server"),
                                   "ridge-test-server/"));
  g_assert_cmpint (json_object_get_int_member (o, "templates"), ==, 0);
  reply_clear (&r);

  /* Unknown path, wrong method. */
  request (session, s.port, "GET", "/v1/nothing", NULL, &r);
  assert_error (&r, 404, "not_found");
  reply_clear (&r);
  request (session, s.port, "DELETE", "/v1/status", NULL, &r);
  assert_error (&r, 405, "method_not_allowed");
  reply_clear (&r);

  /* The database and its WAL are private. */
  g_assert_cmpint (g_stat (s.db, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  wal = g_strconcat (s.db, "-wal", NULL);
  g_assert_cmpint (g_stat (wal, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  server_clear (&s);
}

static void
test_auth (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  g_autoptr (TestItem) it = test_item_new ("auth:1:1", "u1", 1, random_record (1, 1));
  TestItem *items[1] = { it };
  g_autofree char *body = batch_json (items, 1);
  const char *paths[] = { "/v1/status", "/v1/templates", "/v1/templates/1" };
  Reply r;

  server_start (&s, 0, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      request_full (session, s.port, "GET", paths[i], NULL, NULL, NULL, cert, &r);
      assert_error (&r, 401, "unauthorized");
      reply_clear (&r);
      request_full (session, s.port, "GET", paths[i], "wrong-token", NULL, NULL, cert, &r);
      assert_error (&r, 401, "unauthorized");
      reply_clear (&r);
      /* A prefix of the right token is not the token. */
      request_full (session, s.port, "GET", paths[i], "test-token", NULL, NULL, cert, &r);
      assert_error (&r, 401, "unauthorized");
      reply_clear (&r);
    }
  request_full (session, s.port, "POST", "/v1/batches", TOKEN "x", "application/json", body,
                cert, &r);
  assert_error (&r, 401, "unauthorized");
  reply_clear (&r);
  g_assert_cmpint (server_count (session, s.port), ==, 0);
  server_clear (&s);
}

static void
test_created_replayed (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  g_autoptr (TestItem) it = test_item_new ("store-a:1:1", "alice", 2, random_record (7, 2));
  g_autofree char *id = NULL, *path = NULL, *sha = sha256_hex (it->record);
  g_autofree guchar *data = NULL;
  gsize data_len = 0;
  Reply r;
  JsonObject *o, *src;

  server_start (&s, 0, NULL);
  o = post_one (session, s.port, it, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "idempotency_key"), ==, it->key);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  id = g_strdup (json_object_get_string_member (o, "id"));
  reply_clear (&r);

  for (int i = 0; i < 3; i++)
    {
      o = post_one (session, s.port, it, &r);
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "replayed");
      g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, id);
      reply_clear (&r);
    }
  g_assert_cmpint (server_count (session, s.port), ==, 1);

  /* Read back, bytes and all. */
  path = g_strdup_printf ("/v1/templates/%s", id);
  request (session, s.port, "GET", path, NULL, &r);
  g_assert_cmpuint (r.status, ==, 200);
  o = body_object (&r);
  g_assert_cmpstr (json_object_get_string_member (o, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (o, "idempotency_key"), ==, it->key);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (o, "user"), "id"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (o, "user"), "name"), ==, "Name of alice");
  g_assert_cmpint (json_object_get_int_member (o, "finger"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "sha256"), ==, sha);
  g_assert_cmpint (json_object_get_int_member (o, "quality"), ==, 70);
  g_assert_cmpint (json_object_get_int_member (o, "samples"), ==, 1);
  g_assert_true (g_str_has_suffix (json_object_get_string_member (o, "created_at"), "Z"));
  src = json_object_get_object_member (o, "source");
  g_assert_cmpstr (json_object_get_string_member (src, "terminal"), ==, "RT-TEST");
  g_assert_true (json_object_get_null_member (src, "operator"));
  data = g_base64_decode (json_object_get_string_member (o, "data"), &data_len);
  g_assert_cmpmem (data, data_len, g_bytes_get_data (it->record, NULL),
                   g_bytes_get_size (it->record));
  reply_clear (&r);

  /* Upper-case hex is the same digest. */
  {
    g_autoptr (TestItem) up = test_item_new ("store-a:2:1", "alice", 3, random_record (8, 3));
    g_autofree char *upper = g_ascii_strup (sha256_hex (up->record), -1);
    GString *b = g_string_new ("{\"items\":[");
    g_autofree char *text = NULL;
    append_item (b, up, upper);
    g_string_append (b, "]}");
    text = g_string_free (b, FALSE);
    request (session, s.port, "POST", "/v1/batches", text, &r);
    g_assert_cmpstr (result_status (results_of (&r, 1), 0), ==, "created");
    reply_clear (&r);
  }
  server_clear (&s);
}

static void
test_conflict (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  g_autoptr (TestItem) a = test_item_new ("store-a:5:2", "carol", 1, random_record (11, 1));
  g_autoptr (TestItem) b = test_item_new ("store-a:5:2", "carol", 1, random_record (12, 1));
  g_autofree char *id = NULL, *path = NULL, *sha_a = sha256_hex (a->record);
  Reply r;
  JsonObject *o;

  server_start (&s, 0, NULL);
  o = post_one (session, s.port, a, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  id = g_strdup (json_object_get_string_member (o, "id"));
  reply_clear (&r);

  o = post_one (session, s.port, b, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "conflict");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "error"),
                                                  "code"), ==, "idempotency_conflict");
  g_assert_false (json_object_has_member (o, "id"));
  reply_clear (&r);

  /* The stored copy is the first one. */
  path = g_strdup_printf ("/v1/templates/%s", id);
  request (session, s.port, "GET", path, NULL, &r);
  g_assert_cmpstr (json_object_get_string_member (body_object (&r), "sha256"), ==, sha_a);
  reply_clear (&r);
  g_assert_cmpint (server_count (session, s.port), ==, 1);

  /* Two items with one key in one batch: the second is handled after the first. */
  {
    g_autoptr (TestItem) c = test_item_new ("store-a:6:1", "carol", 2, random_record (13, 2));
    g_autoptr (TestItem) d = test_item_new ("store-a:6:1", "carol", 2, random_record (14, 2));
    TestItem *items[3] = { c, c, d };
    g_autofree char *text = batch_json (items, 3);
    JsonArray *res;
    request (session, s.port, "POST", "/v1/batches", text, &r);
    res = results_of (&r, 3);
    g_assert_cmpstr (result_status (res, 0), ==, "created");
    g_assert_cmpstr (result_status (res, 1), ==, "replayed");
    g_assert_cmpstr (result_id (res, 1), ==, result_id (res, 0));
    g_assert_cmpstr (result_status (res, 2), ==, "conflict");
    reply_clear (&r);
  }
  g_assert_cmpint (server_count (session, s.port), ==, 2);
  server_clear (&s);
}

/* Builds a batch of one item with fields replaced: field = "name", raw JSON value. */
static char *
item_with (const TestItem *it,
           const char     *field,
           const char     *value)
{
  GString *s = g_string_new (NULL);
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  JsonObject *o;

  append_item (s, it, NULL);
  node = json_from_string (s->str, NULL);
  g_string_free (s, TRUE);
  o = json_node_get_object (node);
  if (value == NULL)
    json_object_remove_member (o, field);
  else
    json_object_set_member (o, field, json_from_string (value, NULL));
  json_generator_set_root (gen, node);
  {
    g_autofree char *item = json_generator_to_data (gen, NULL);
    return g_strdup_printf ("{\"items\":[%s]}", item);
  }
}

static void
test_rejected (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  g_autoptr (GBytes) good = random_record (21, 4);
  gsize good_len = 0;
  const guint8 *good_data = g_bytes_get_data (good, &good_len);
  guint8 hostile[4][64];
  static const guint8 ansi_header[] = "FMR\0 20\0";
  struct {
    const char *field, *value, *code;
  } bad_fields[] = {
    { "finger", "11", "invalid_item" },
    { "finger", "\"2\"", "invalid_item" },
    { "finger", "2.5", "invalid_item" },
    { "quality", "101", "invalid_item" },
    { "samples", "-1", "invalid_item" },
    { "format", "\"ansi-378-2004\"", "unsupported_format" },
    { "data", "\"not base64!\"", "invalid_item" },
    { "data", "\"QUJD\\nRA==\"", "invalid_item" },
    { "data", "\"\"", "invalid_item" },
    { "sha256", "\"00\"", "invalid_item" },
    { "sha256", "\"" "0000000000000000000000000000000000000000000000000000000000000000" "\"",
      "sha256_mismatch" },
    { "user", "{\"id\":\"\",\"name\":\"x\"}", "invalid_item" },
    { "user", "\"bob\"", "invalid_item" },
    { "user", NULL, "invalid_item" },
    { "source", "{\"terminal\":null,\"captured_at\":\"yesterday\",\"operator\":null}",
      "invalid_item" },
    { "source", "{\"terminal\":5,\"captured_at\":\"2026-11-25T09:14:03Z\",\"operator\":null}",
      "invalid_item" },
  };
  Reply r;
  guint n = 0;

  server_start (&s, 0, NULL);

  /* Hostile records: truncated, bad magic, lying length, ANSI layout as ISO. */
  memcpy (hostile[0], good_data, 40);
  memcpy (hostile[1], good_data, 64);
  hostile[1][0] = 'X';
  memcpy (hostile[2], good_data, 64);
  hostile[2][8] = 0x7f;
  memcpy (hostile[3], ansi_header, 8);
  memset (hostile[3] + 8, 0xff, 56);
  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *key = g_strdup_printf ("hostile:%u:1", i);
      g_autoptr (TestItem) it = test_item_new (key, "mallory", 4,
                                               g_bytes_new (hostile[i], i == 0 ? 40 : 64));
      JsonObject *o = post_one (session, s.port, it, &r);
      g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "rejected");
      g_assert_cmpstr (json_object_get_string_member (
                         json_object_get_object_member (o, "error"), "code"), ==,
                       "invalid_template");
      reply_clear (&r);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad_fields); i++)
    {
      g_autofree char *key = g_strdup_printf ("bad-field:%u:1", i);
      g_autoptr (TestItem) it = test_item_new (key, "mallory", 4, g_bytes_ref (good));
      g_autofree char *body = item_with (it, bad_fields[i].field, bad_fields[i].value);
      JsonArray *res;
      request (session, s.port, "POST", "/v1/batches", body, &r);
      res = results_of (&r, 1);
      if (g_strcmp0 (result_status (res, 0), "rejected") != 0
          || g_strcmp0 (result_error_code (res, 0), bad_fields[i].code) != 0)
        g_error ("field %s = %s: %s", bad_fields[i].field, bad_fields[i].value,
                 result_status (res, 0));
      reply_clear (&r);
    }

  /* A mixed batch keeps its order; only the valid items are stored. */
  {
    g_autoptr (TestItem) ok1 = test_item_new ("mixed:1:1", "dave", 1, random_record (31, 1));
    g_autoptr (TestItem) bad = test_item_new ("mixed:2:1", "dave", 2,
                                              g_bytes_new (hostile[0], 40));
    g_autoptr (TestItem) ok2 = test_item_new ("mixed:3:1", "dave", 3, random_record (32, 3));
    TestItem *items[3] = { ok1, bad, ok2 };
    g_autofree char *body = batch_json (items, 3);
    JsonArray *res;
    request (session, s.port, "POST", "/v1/batches", body, &r);
    res = results_of (&r, 3);
    g_assert_cmpstr (result_status (res, 0), ==, "created");
    g_assert_cmpstr (result_status (res, 1), ==, "rejected");
    g_assert_cmpstr (result_status (res, 2), ==, "created");
    for (guint i = 0; i < 3; i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (res, i),
                                                      "idempotency_key"), ==, items[i]->key);
    n += 2;
    reply_clear (&r);
  }
  g_assert_cmpint (server_count (session, s.port), ==, n);
  server_clear (&s);
}

static void
test_duplicate (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (30);
  g_autoptr (TestItem) alice = test_item_new ("dup:1:1", "alice", 2, synth_record (4242, 0, 2));
  /* Bob presents the same finger (another impression) as his left index. */
  g_autoptr (TestItem) bob = test_item_new ("dup:2:1", "bob", 7, synth_record (4242, 1, 7));
  g_autoptr (TestItem) bob_own = test_item_new ("dup:3:1", "bob", 7,
                                                synth_record (777, 0, 7));
  /* Alice re-enrolls her own finger: not a duplicate. */
  g_autoptr (TestItem) alice2 = test_item_new ("dup:1:2", "alice", 2,
                                               synth_record (4242, 2, 2));
  g_autofree char *alice_id = NULL, *path = NULL;
  Reply r;
  JsonObject *o, *dup;

  server_start (&s, 0, NULL);
  o = post_one (session, s.port, alice, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  alice_id = g_strdup (json_object_get_string_member (o, "id"));
  reply_clear (&r);

  o = post_one (session, s.port, bob, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "duplicate");
  g_assert_false (json_object_has_member (o, "id"));
  dup = json_object_get_object_member (o, "duplicate_of");
  g_assert_nonnull (dup);
  g_assert_cmpstr (json_object_get_string_member (dup, "id"), ==, alice_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (dup, "user"),
                                                  "id"), ==, "alice");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (dup, "user"),
                                                  "name"), ==, "Name of alice");
  g_assert_cmpint (json_object_get_int_member (dup, "finger"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (dup, "score"), >=, RIDGE_MATCH_THRESHOLD);
  g_test_message ("duplicate score %" G_GINT64_FORMAT,
                  json_object_get_int_member (dup, "score"));
  reply_clear (&r);

  o = post_one (session, s.port, bob_own, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  reply_clear (&r);
  o = post_one (session, s.port, alice2, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  reply_clear (&r);
  g_assert_cmpint (server_count (session, s.port), ==, 3);

  /* The duplicate was not stored; once alice's templates are gone it is created. */
  server_stop (&s);
  server_start (&s, 0, NULL);   /* the gallery is reloaded from the file */
  o = post_one (session, s.port, bob, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "duplicate");
  reply_clear (&r);
  path = g_strdup_printf ("/v1/templates/%s", alice_id);
  request (session, s.port, "DELETE", path, NULL, &r);
  g_assert_cmpuint (r.status, ==, 204);
  reply_clear (&r);
  {
    /* alice2 still matches bob's print: delete it too (listed by user). */
    JsonArray *items;
    g_autofree char *p2 = NULL;
    request (session, s.port, "GET", "/v1/templates?user=alice", NULL, &r);
    items = json_object_get_array_member (body_object (&r), "items");
    g_assert_cmpuint (json_array_get_length (items), ==, 1);
    p2 = g_strdup_printf ("/v1/templates/%s", json_object_get_string_member (
                            json_array_get_object_element (items, 0), "id"));
    reply_clear (&r);
    request (session, s.port, "DELETE", p2, NULL, &r);
    g_assert_cmpuint (r.status, ==, 204);
    reply_clear (&r);
  }
  o = post_one (session, s.port, bob, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  reply_clear (&r);

  /* Without the check the same print goes in under anyone. */
  server_stop (&s);
  {
    const char *extra[] = { "--no-duplicate-check", NULL };
    g_autoptr (TestItem) eve = test_item_new ("dup:9:1", "eve", 2, synth_record (4242, 3, 2));
    server_start (&s, 0, extra);
    o = post_one (session, s.port, eve, &r);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
    reply_clear (&r);
  }
  server_clear (&s);
}

static gboolean
accept_pinned_conn (GTlsConnection      *conn,
                    GTlsCertificate     *peer,
                    GTlsCertificateFlags errors,
                    gpointer             pinned)
{
  return g_tls_certificate_is_same (peer, pinned);
}

static void
pin_on_handshake (GSocketClient      *client,
                  GSocketClientEvent  event,
                  GSocketConnectable *connectable,
                  GIOStream          *connection,
                  gpointer            pinned)
{
  if (event == G_SOCKET_CLIENT_TLS_HANDSHAKING)
    g_signal_connect (connection, "accept-certificate", G_CALLBACK (accept_pinned_conn), pinned);
}

#define RAW_HEAD \
  "POST /v1/batches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
  "Authorization: Bearer " TOKEN "\r\n%sContent-Length: %u\r\n\r\n"

/* A gallery large enough to be split over threads (≥ 256): the owner is found in the
 * second half, and the answer is the same as with one thread. */
static void
test_duplicate_large (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (60);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)test_item_free);
  g_autoptr (TestItem) bob = test_item_new ("large:bob:1", "bob", 7, synth_record (4242, 1, 7));
  g_autoptr (TestItem) fresh = test_item_new ("large:new:1", "newcomer", 3,
                                              random_record (77777, 3));
  const char *bulk[] = { "--no-duplicate-check", NULL };
  g_autofree char *body = NULL, *alice_id = NULL;
  Reply r;
  JsonArray *res;
  JsonObject *o, *dup;

  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *key = g_strdup_printf ("large:%u:1", i);
      g_autofree char *user = g_strdup_printf ("user-%u", i / 2);
      if (i == 300)
        g_ptr_array_add (items, test_item_new (key, "alice", 2, synth_record (4242, 0, 2)));
      else
        g_ptr_array_add (items, test_item_new (key, user, 1 + i % 2,
                                               random_record (60000 + i, 1 + i % 2)));
    }
  body = batch_json ((TestItem **)items->pdata, 400);
  server_start (&s, 0, bulk);
  request (session, s.port, "POST", "/v1/batches", body, &r);
  res = results_of (&r, 400);
  alice_id = g_strdup (result_id (res, 300));
  reply_clear (&r);
  server_stop (&s);

  server_start (&s, 0, NULL);   /* the check on: 400 templates loaded */
  o = post_one (session, s.port, bob, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "duplicate");
  dup = json_object_get_object_member (o, "duplicate_of");
  g_assert_cmpstr (json_object_get_string_member (dup, "id"), ==, alice_id);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (dup, "user"),
                                                  "id"), ==, "alice");
  g_assert_cmpint (json_object_get_int_member (dup, "score"), >=, RIDGE_MATCH_THRESHOLD);
  reply_clear (&r);
  o = post_one (session, s.port, fresh, &r);
  g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
  reply_clear (&r);
  g_assert_cmpint (server_count (session, s.port), ==, 401);
  server_clear (&s);
}

static void
test_limits (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (30);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)test_item_free);
  g_autofree char *body = NULL;
  g_autoptr (GBytes) rec = random_record (3, 1);
  Reply r;

  server_start (&s, 0, NULL);
  for (guint i = 0; i < 501; i++)
    {
      g_autofree char *key = g_strdup_printf ("limits:%u:1", i);
      g_ptr_array_add (items, test_item_new (key, "u", 1, g_bytes_ref (rec)));
    }
  body = batch_json ((TestItem **)items->pdata, 501);
  request (session, s.port, "POST", "/v1/batches", body, &r);
  assert_error (&r, 413, "batch_too_large");
  reply_clear (&r);

  request (session, s.port, "POST", "/v1/batches", "{\"items\":[]}", &r);
  assert_error (&r, 400, "bad_request");
  reply_clear (&r);
  request (session, s.port, "POST", "/v1/batches", "{\"items\":[", &r);
  assert_error (&r, 400, "bad_request");
  reply_clear (&r);
  request (session, s.port, "POST", "/v1/batches", "[1,2]", &r);
  assert_error (&r, 400, "bad_request");
  reply_clear (&r);
  request_full (session, s.port, "POST", "/v1/batches", TOKEN, "text/plain", "{}", cert, &r);
  assert_error (&r, 415, "unsupported_media_type");
  reply_clear (&r);
  request (session, s.port, "GET", "/v1/batches", NULL, &r);
  assert_error (&r, 405, "method_not_allowed");
  reply_clear (&r);

  /* One item without a key: the whole batch is refused, nothing is stored. */
  {
    TestItem *two[2] = { items->pdata[0], items->pdata[1] };
    g_autofree char *ok = batch_json (two, 2);
    g_autofree char *broken = NULL;
    GString *s2 = g_string_new (NULL);
    g_string_append_len (s2, ok, strlen (ok) - 2);
    g_string_append (s2, ",{\"user\":{\"id\":\"u\",\"name\":\"\"}}]}");
    broken = g_string_free (s2, FALSE);
    request (session, s.port, "POST", "/v1/batches", broken, &r);
    assert_error (&r, 400, "bad_request");
    reply_clear (&r);
    g_assert_cmpint (server_count (session, s.port), ==, 0);
  }
  {
    /* A key of 201 characters. */
    g_autofree char *long_key = g_strnfill (201, 'k');
    g_autoptr (TestItem) it = test_item_new (long_key, "u", 1, g_bytes_ref (rec));
    TestItem *one[1] = { it };
    g_autofree char *b = batch_json (one, 1);
    request (session, s.port, "POST", "/v1/batches", b, &r);
    assert_error (&r, 400, "bad_request");
    reply_clear (&r);
  }

  /* A body announced above 64 MiB is refused from its headers: with Expect: 100-continue
   * before it is sent, otherwise once it has been read (and dropped). */
  for (int expect = 1; expect >= 0; expect--)
    {
      g_autoptr (GSocketClient) client = g_socket_client_new ();
      g_autoptr (GSocketConnection) conn = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (GDataInputStream) in = NULL;
      g_autofree char *status_line = NULL;
      g_autofree char *head = g_strdup_printf (RAW_HEAD,
                                               expect ? "Expect: 100-continue\r\n" : "",
                                               64u * 1024 * 1024 + 1);
      GOutputStream *out;
      g_signal_connect (client, "event", G_CALLBACK (pin_on_handshake), cert);
      g_socket_client_set_tls (client, TRUE);
      conn = g_socket_client_connect_to_host (client, "127.0.0.1", s.port, NULL, &error);
      g_assert_no_error (error);
      out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
      g_output_stream_write_all (out, head, strlen (head), NULL, NULL, &error);
      g_assert_no_error (error);
      if (!expect)
        {
          g_autofree char *mib = g_malloc (1024 * 1024);
          memset (mib, ' ', 1024 * 1024);
          for (int i = 0; i < 64; i++)
            {
              g_output_stream_write_all (out, mib, 1024 * 1024, NULL, NULL, &error);
              g_assert_no_error (error);
            }
          g_output_stream_write_all (out, "[", 1, NULL, NULL, &error);
          g_assert_no_error (error);
        }
      in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
      status_line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (status_line);
      g_assert_true (g_str_has_prefix (status_line, "HTTP/1.1 413"));
    }
  server_clear (&s);
}

static void
test_pagination (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (30);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)test_item_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *body = NULL, *after = NULL;
  const char *extra[] = { "--no-duplicate-check", NULL };
  Reply r;
  JsonArray *res;
  gint64 prev = 0;
  guint pages = 0, n_carol = 0;

  server_start (&s, 0, extra);
  for (guint i = 0; i < 250; i++)
    {
      g_autofree char *key = g_strdup_printf ("page:%u:1", i);
      const char *user = i % 5 == 0 ? "carol" : i % 2 ? "u-odd" : "u-even";
      g_ptr_array_add (items, test_item_new (key, user, i % 11,
                                             random_record (1000 + i, i % 11)));
      n_carol += i % 5 == 0;
    }
  body = batch_json ((TestItem **)items->pdata, 250);
  request (session, s.port, "POST", "/v1/batches", body, &r);
  res = results_of (&r, 250);
  for (guint i = 0; i < 250; i++)
    g_assert_cmpstr (result_status (res, i), ==, "created");
  reply_clear (&r);

  /* Pages of 100: 100, 100, 50, in increasing id order, each template once. */
  do
    {
      g_autofree char *path = after
                              ? g_strdup_printf ("/v1/templates?limit=100&after=%s", after)
                              : g_strdup ("/v1/templates?limit=100");
      JsonArray *page;
      JsonNode *next;
      request (session, s.port, "GET", path, NULL, &r);
      g_assert_cmpuint (r.status, ==, 200);
      page = json_object_get_array_member (body_object (&r), "items");
      g_assert_cmpuint (json_array_get_length (page), ==, pages < 2 ? 100 : 50);
      for (guint i = 0; i < json_array_get_length (page); i++)
        {
          JsonObject *o = json_array_get_object_element (page, i);
          const char *id = json_object_get_string_member (o, "id");
          g_assert_cmpint (g_ascii_strtoll (id, NULL, 10), >, prev);
          prev = g_ascii_strtoll (id, NULL, 10);
          g_assert_false (json_object_has_member (o, "data"));
          g_assert_true (json_object_has_member (o, "sha256"));
          g_assert_true (g_hash_table_add (seen, g_strdup (id)));
        }
      next = json_object_get_member (body_object (&r), "next");
      g_clear_pointer (&after, g_free);
      if (!JSON_NODE_HOLDS_NULL (next))
        after = g_strdup (json_node_get_string (next));
      pages++;
      reply_clear (&r);
    }
  while (after != NULL);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (g_hash_table_size (seen), ==, 250);

  /* The default page is 100; a user's templates only. */
  request (session, s.port, "GET", "/v1/templates", NULL, &r);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body_object (&r),
                                                                         "items")), ==, 100);
  reply_clear (&r);
  request (session, s.port, "GET", "/v1/templates?user=carol&limit=1000", NULL, &r);
  res = json_object_get_array_member (body_object (&r), "items");
  g_assert_cmpuint (json_array_get_length (res), ==, n_carol);
  for (guint i = 0; i < n_carol; i++)
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                                                      json_array_get_object_element (res, i),
                                                      "user"), "id"), ==, "carol");
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (body_object (&r), "next")));
  reply_clear (&r);

  /* Bad parameters. */
  {
    const char *bad[] = { "limit=0", "limit=1001", "limit=abc", "after=x1", "after=-1",
                          "user=" };
    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autofree char *path = g_strdup_printf ("/v1/templates?%s", bad[i]);
        request (session, s.port, "GET", path, NULL, &r);
        assert_error (&r, 400, "bad_request");
        reply_clear (&r);
      }
  }

  /* Delete one: 204, then 404; its key is forgotten, so resending creates a new id. */
  {
    TestItem *first = items->pdata[0];
    const char *id;
    g_autofree char *path = NULL, *old_id = NULL;
    JsonObject *o;
    request (session, s.port, "GET", "/v1/templates?limit=1", NULL, &r);
    id = json_object_get_string_member (json_array_get_object_element (
                                          json_object_get_array_member (body_object (&r),
                                                                        "items"), 0), "id");
    old_id = g_strdup (id);
    path = g_strdup_printf ("/v1/templates/%s", id);
    reply_clear (&r);
    request (session, s.port, "DELETE", path, NULL, &r);
    g_assert_cmpuint (r.status, ==, 204);
    reply_clear (&r);
    request (session, s.port, "DELETE", path, NULL, &r);
    assert_error (&r, 404, "not_found");
    reply_clear (&r);
    request (session, s.port, "GET", path, NULL, &r);
    assert_error (&r, 404, "not_found");
    reply_clear (&r);
    request (session, s.port, "GET", "/v1/templates/abc", NULL, &r);
    assert_error (&r, 404, "not_found");
    reply_clear (&r);
    g_assert_cmpint (server_count (session, s.port), ==, 249);
    o = post_one (session, s.port, first, &r);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "created");
    g_assert_cmpstr (json_object_get_string_member (o, "id"), !=, old_id);
    reply_clear (&r);
  }
  server_clear (&s);
}

/* kill -9 between batches and --exit-after inside one: each template is there once. */
static void
test_restart (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (30);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)test_item_free);
  g_autofree char *b1 = NULL, *b2 = NULL;
  const char *exit_after[] = { "--no-duplicate-check", "--exit-after=120", NULL };
  const char *plain[] = { "--no-duplicate-check", NULL };
  g_autoptr (GError) error = NULL;
  guint port;
  Reply r;
  JsonArray *res;
  guint created = 0, replayed = 0;

  for (guint i = 0; i < 600; i++)
    {
      g_autofree char *key = g_strdup_printf ("restart:%u:1", i);
      g_autofree char *user = g_strdup_printf ("user-%u", i / 4);
      g_ptr_array_add (items, test_item_new (key, user, 1 + i % 4,
                                             random_record (5000 + i, 1 + i % 4)));
    }
  b1 = batch_json ((TestItem **)items->pdata, 300);
  b2 = batch_json ((TestItem **)items->pdata + 100, 500);   /* items 100..599 */

  /* The first 300 arrive; the server is killed -9 and comes back on the same port. */
  server_start (&s, 0, plain);
  port = s.port;
  request (session, port, "POST", "/v1/batches", b1, &r);
  results_of (&r, 300);
  reply_clear (&r);
  server_kill (&s);
  server_start (&s, port, exit_after);
  g_assert_cmpint (server_count (session, port), ==, 300);

  /* --exit-after=120: the server exits (status 3) once this process has committed 120
   * items, that is inside the next batch (items 100..599: 100..299 are replays, 300..419
   * are committed), without answering it. */
  request (session, port, "POST", "/v1/batches", b2, &r);
  g_assert_nonnull (r.error);
  g_test_message ("the client saw: %s", r.error->message);
  reply_clear (&r);
  g_subprocess_wait (s.proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (s.proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s.proc), ==, 3);
  g_clear_object (&s.proc);

  /* Back again: the client resends the unanswered batch. */
  server_start (&s, port, plain);
  g_assert_cmpint (server_count (session, port), ==, 420);
  request (session, port, "POST", "/v1/batches", b2, &r);
  res = results_of (&r, 500);
  for (guint i = 0; i < 500; i++)
    {
      const char *st = result_status (res, i);
      if (g_strcmp0 (st, "created") == 0)
        created++;
      else if (g_strcmp0 (st, "replayed") == 0)
        replayed++;
      else
        g_error ("item %u: %s", i, st);
    }
  reply_clear (&r);
  /* 100..419 were stored before (320 replays), 420..599 are new. */
  g_assert_cmpuint (replayed, ==, 320);
  g_assert_cmpuint (created, ==, 180);
  g_assert_cmpint (server_count (session, port), ==, 600);
  server_clear (&s);
}

static void
test_tls (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (10);
  Reply r;

  server_start (&s, 0, NULL);
  /* Pinned: accepted although self-signed. */
  request_full (session, s.port, "GET", "/v1/status", TOKEN, NULL, NULL, cert, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.status, ==, 200);
  reply_clear (&r);
  /* Another pinned certificate: refused (new sessions: no kept-alive connection). */
  g_clear_object (&session);
  session = session_new (10);
  request_full (session, s.port, "GET", "/v1/status", TOKEN, NULL, NULL, other_cert, &r);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  reply_clear (&r);
  /* No pin: the system CAs do not know it. */
  g_clear_object (&session);
  session = session_new (10);
  request_full (session, s.port, "GET", "/v1/status", TOKEN, NULL, NULL, NULL, &r);
  g_assert_error (r.error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  reply_clear (&r);
  /* Plain HTTP is not served. */
  {
    g_autoptr (SoupSession) plain = session_new (5);
    g_autofree char *uri = g_strdup_printf ("http://127.0.0.1:%u/v1/status", s.port);
    g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
    g_autoptr (GError) error = NULL;
    g_autoptr (GBytes) resp = soup_session_send_and_read (plain, msg, NULL, &error);
    g_assert_true (resp == NULL || soup_message_get_status (msg) != 200);
  }
  server_clear (&s);
}

/* Injected 5xx, 503/429 and stalls: a retrying client ends with each template once. */
static void
test_faults (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (1);  /* 1 s: stalls time out */
  g_autoptr (SoupSession) patient = session_new (30);
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify)test_item_free);
  const char *extra[] = { "--no-duplicate-check", "--fail-rate=0.2", "--busy-rate=0.2",
                          "--stall-rate=0.2", "--stall-ms=1500", "--seed=7", NULL };
  guint n_5xx = 0, n_busy = 0, n_timeout = 0, n_replayed = 0, n_created = 0;

  server_start (&s, 0, extra);
  for (guint i = 0; i < 400; i++)
    {
      g_autofree char *key = g_strdup_printf ("faults:%u:1", i);
      g_autofree char *user = g_strdup_printf ("user-%u", i / 2);
      g_ptr_array_add (items, test_item_new (key, user, 1 + i % 2,
                                             random_record (9000 + i, 1 + i % 2)));
    }
  for (guint b = 0; b < 8; b++)
    {
      g_autofree char *body = batch_json ((TestItem **)items->pdata + b * 50, 50);
      for (guint attempt = 0;; attempt++)
        {
          Reply r;
          g_assert_cmpuint (attempt, <, 100);
          request (session, s.port, "POST", "/v1/batches", body, &r);
          if (r.error != NULL)
            {
              /* A stall times out; on a loaded machine the handshake may be what times
               * out, with another error code: any transport failure is retried. */
              g_test_message ("attempt %u: %s", attempt, r.error->message);
              n_timeout++;
            }
          else if (r.status == 503 || r.status == 429)
            {
              g_assert_cmpstr (r.retry_after, ==, "1");
              n_busy++;
            }
          else if (r.status >= 500)
            n_5xx++;
          else
            {
              JsonArray *res = results_of (&r, 50);
              for (guint i = 0; i < 50; i++)
                {
                  const char *st = result_status (res, i);
                  n_created += g_strcmp0 (st, "created") == 0;
                  n_replayed += g_strcmp0 (st, "replayed") == 0;
                }
              reply_clear (&r);
              break;
            }
          reply_clear (&r);
        }
    }
  g_test_message ("%u 5xx, %u busy, %u timeouts; %u created, %u replayed", n_5xx, n_busy,
                  n_timeout, n_created, n_replayed);
  g_assert_cmpuint (n_5xx, >, 0);
  g_assert_cmpuint (n_busy, >, 0);
  g_assert_cmpuint (n_timeout, >, 0);
  g_assert_cmpuint (n_created + n_replayed, ==, 400);
  /* A timed-out batch had been committed: its retry was all replays. */
  g_assert_cmpuint (n_replayed, >, 0);
  server_stop (&s);
  {
    const char *none[] = { "--no-duplicate-check", NULL };
    server_start (&s, 0, none);
    g_assert_cmpint (server_count (patient, s.port), ==, 400);
  }
  server_clear (&s);
}

/* A full disk (a 1 MiB cap): the batch that does not fit is refused whole with 503, the
 * templates before it are intact, and it goes in once there is room again. */
static void
test_full (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (30);
  const char *capped[] = { "--no-duplicate-check", "--max-db-mb=1", NULL };
  const char *plain[] = { "--no-duplicate-check", NULL };
  g_autofree char *failed = NULL;
  gint64 before = 0;
  guint b;

  server_start (&s, 0, capped);
  for (b = 0; b < 20 && failed == NULL; b++)
    {
      TestItem *batch[500];
      g_autofree char *body = NULL;
      Reply r;
      for (guint i = 0; i < 500; i++)
        {
          g_autofree char *key = g_strdup_printf ("full:%u:1", b * 500 + i);
          batch[i] = test_item_new (key, "u", 1, random_record (40000 + b * 500 + i, 1));
        }
      body = batch_json (batch, 500);
      for (guint i = 0; i < 500; i++)
        test_item_free (batch[i]);
      before = server_count (session, s.port);
      request (session, s.port, "POST", "/v1/batches", body, &r);
      if (r.status == 503)
        {
          const char *msg;
          assert_error (&r, 503, "unavailable");
          g_assert_cmpstr (r.retry_after, ==, "1");
          msg = json_object_get_string_member (json_object_get_object_member (body_object (&r),
                                                                              "error"),
                                               "message");
          g_assert_nonnull (strstr (msg, "full"));
          failed = g_steal_pointer (&body);
        }
      else
        results_of (&r, 500);
      reply_clear (&r);
    }
  g_assert_nonnull (failed);
  g_assert_cmpuint (b, >, 1);
  g_test_message ("batch %u did not fit; %" G_GINT64_FORMAT " templates kept", b, before);
  g_assert_cmpint (server_count (session, s.port), ==, before);
  server_stop (&s);

  /* Room again: the refused batch is stored whole, nothing of it had been kept. */
  server_start (&s, 0, plain);
  g_assert_cmpint (server_count (session, s.port), ==, before);
  {
    Reply r;
    JsonArray *res;
    request (session, s.port, "POST", "/v1/batches", failed, &r);
    res = results_of (&r, 500);
    for (guint i = 0; i < 500; i++)
      g_assert_cmpstr (result_status (res, i), ==, "created");
    reply_clear (&r);
  }
  g_assert_cmpint (server_count (session, s.port), ==, before + 500);
  server_clear (&s);
}

/* 10,000 templates in batches of 500 (no duplicate check): the time is reported. */
static void
test_bulk (void)
{
  Server s = { 0 };
  g_autoptr (SoupSession) session = session_new (60);
  const char *extra[] = { "--no-duplicate-check", NULL };
  g_autoptr (GTimer) timer = NULL;
  GPtrArray *bodies = g_ptr_array_new_with_free_func (g_free);

  for (guint b = 0; b < 20; b++)
    {
      TestItem *batch[500];
      for (guint i = 0; i < 500; i++)
        {
          guint n = b * 500 + i;
          g_autofree char *key = g_strdup_printf ("bulk:%u:1", n);
          g_autofree char *user = g_strdup_printf ("user-%u", n / 10);
          batch[i] = test_item_new (key, user, n % 10 + 1, random_record (20000 + n, n % 10 + 1));
        }
      g_ptr_array_add (bodies, batch_json (batch, 500));
      for (guint i = 0; i < 500; i++)
        test_item_free (batch[i]);
    }
  server_start (&s, 0, extra);
  timer = g_timer_new ();
  for (guint b = 0; b < bodies->len; b++)
    {
      Reply r;
      JsonArray *res;
      request (session, s.port, "POST", "/v1/batches", bodies->pdata[b], &r);
      res = results_of (&r, 500);
      for (guint i = 0; i < 500; i++)
        g_assert_cmpstr (result_status (res, i), ==, "created");
      reply_clear (&r);
    }
  g_test_message ("10,000 templates in 20 batches of 500: %.2f s (%.0f templates/s)",
                  g_timer_elapsed (timer, NULL), 10000 / g_timer_elapsed (timer, NULL));
  g_assert_cmpint (server_count (session, s.port), ==, 10000);
  g_ptr_array_unref (bodies);
  server_clear (&s);
}

/* Runs the server with argv; returns its exit status and its stderr. */
static int
run_server_expecting_failure (const char *const *argv,
                              char             **err_out)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                    | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, err_out, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* Bad settings and files: a clear message, exit status 1, the file untouched. */
static void
test_options (void)
{
  g_autofree char *cert_opt = g_strdup_printf ("--cert=%s", cert_path);
  g_autofree char *key_opt = g_strdup_printf ("--key=%s", key_path);
  g_autofree char *garbage = g_build_filename (work_dir, "garbage.db", NULL);
  g_autofree char *garbage_opt = g_strdup_printf ("--db=%s", garbage);
  g_autofree char *foreign = g_build_filename (work_dir, "foreign.db", NULL);
  g_autofree char *foreign_opt = g_strdup_printf ("--db=%s", foreign);
  g_autofree char *token_file = NULL, *token_opt = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GError) error = NULL;
  struct {
    const char *argv[8];
    const char *says;
  } cases[] = {
    { { server_exe, "--token=t", "--db=x.db", NULL }, "--cert" },
    { { server_exe, cert_opt, key_opt, "--db=x.db", NULL }, "--token" },
    { { server_exe, cert_opt, key_opt, "--token=t", "--db=x.db", "--fail-rate=1.5", NULL },
      "--fail-rate" },
    { { server_exe, cert_opt, "--key=/nonexistent/key.pem", "--token=t", "--db=x.db", NULL },
      "certificate" },
    { { server_exe, cert_opt, key_opt, "--token=t", garbage_opt, NULL }, "not a usable" },
    { { server_exe, cert_opt, key_opt, "--token=t", foreign_opt, NULL }, "not a Ridge export" },
  };
  sqlite3 *db = NULL;

  /* Somebody else's SQLite database. */
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE accounts (id INTEGER PRIMARY KEY)", NULL,
                                 NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  g_assert_true (g_file_set_contents (garbage, "this is not a database, not at all......"
                                               "................................................",
                                      -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *err = NULL;
      int status = run_server_expecting_failure (cases[i].argv, &err);
      g_test_message ("case %u: %s", i, err);
      g_assert_cmpint (status, ==, 1);
      g_assert_true (g_str_has_prefix (err, "ridge-test-server: "));
      g_assert_nonnull (strstr (err, cases[i].says));
    }
  /* Neither file was touched: same bytes, still in rollback-journal mode, no WAL. */
  g_assert_true (g_file_get_contents (garbage, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "this is not a database"));
  g_assert_cmpint (sqlite3_open (foreign, &db), ==, SQLITE_OK);
  {
    sqlite3_stmt *stmt = NULL;
    g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL), ==,
                     SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *)sqlite3_column_text (stmt, 0), ==, "delete");
    sqlite3_finalize (stmt);
  }
  sqlite3_close (db);

  /* --token-file: the first line is the token. */
  token_file = g_build_filename (work_dir, "token.txt", NULL);
  g_assert_true (g_file_set_contents (token_file, "from-a-file\nsecond line\n", -1, &error));
  token_opt = g_strdup_printf ("--token-file=%s", token_file);
  {
    Server s = { 0 };
    g_autoptr (SoupSession) session = session_new (10);
    const char *extra[] = { token_opt, NULL };
    Reply r;
    server_start (&s, 0, extra);   /* --token=TOKEN is replaced by the file's */
    request_full (session, s.port, "GET", "/v1/status", "from-a-file", NULL, NULL, cert, &r);
    g_assert_no_error (r.error);
    g_assert_cmpuint (r.status, ==, 200);
    reply_clear (&r);
    request_full (session, s.port, "GET", "/v1/status", TOKEN, NULL, NULL, cert, &r);
    assert_error (&r, 401, "unauthorized");
    reply_clear (&r);
    server_clear (&s);
  }
}

/* ---- Main ---------------------------------------------------------------------------- */

static void
rm_rf (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        rm_rf (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

static void
make_cert (const char       *script,
           const char       *dir,
           GTlsCertificate **out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *c = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *k = g_build_filename (dir, "key.pem", NULL);
  const char *argv[] = { script, dir, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                &error);
  g_assert_no_error (error);
  g_spawn_check_wait_status (status, &error);
  g_assert_no_error (error);
  *out = g_tls_certificate_new_from_file (c, &error);
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  const char *script = g_getenv ("RIDGE_TEST_CERT_SH");
  const char *build_root = g_getenv ("RIDGE_BUILD_ROOT");
  g_autofree char *tmpl = NULL, *other_dir = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  server_exe = g_getenv ("RIDGE_TEST_SERVER_EXE");
  if (server_exe == NULL || script == NULL)
    {
      g_printerr ("RIDGE_TEST_SERVER_EXE and RIDGE_TEST_CERT_SH must be set (meson test)\n");
      return 1;
    }
  if (!g_find_program_in_path ("openssl"))
    {
      g_printerr ("openssl is not installed (./dev.sh deps): skipped\n");
      return 77;
    }
  tmpl = g_build_filename (build_root ? build_root : g_get_tmp_dir (), "tests", "export",
                           "run-XXXXXX", NULL);
  g_mkdir_with_parents (build_root ? g_path_get_dirname (tmpl) : g_get_tmp_dir (), 0700);
  work_dir = g_mkdtemp (tmpl) ? g_strdup (tmpl) : NULL;
  g_assert_nonnull (work_dir);
  make_cert (script, work_dir, &cert);
  cert_path = g_build_filename (work_dir, "cert.pem", NULL);
  key_path = g_build_filename (work_dir, "key.pem", NULL);
  other_dir = g_build_filename (work_dir, "other", NULL);
  make_cert (script, other_dir, &other_cert);

  g_test_add_func ("/export/status", test_status);
  g_test_add_func ("/export/auth", test_auth);
  g_test_add_func ("/export/created-replayed", test_created_replayed);
  g_test_add_func ("/export/conflict", test_conflict);
  g_test_add_func ("/export/rejected", test_rejected);
  g_test_add_func ("/export/duplicate", test_duplicate);
  g_test_add_func ("/export/duplicate-large", test_duplicate_large);
  g_test_add_func ("/export/limits", test_limits);
  g_test_add_func ("/export/pagination", test_pagination);
  g_test_add_func ("/export/restart", test_restart);
  g_test_add_func ("/export/tls", test_tls);
  g_test_add_func ("/export/faults", test_faults);
  g_test_add_func ("/export/full", test_full);
  g_test_add_func ("/export/options", test_options);
  g_test_add_func ("/export/bulk", test_bulk);
  ret = g_test_run ();
  rm_rf (work_dir);
  g_object_unref (cert);
  g_object_unref (other_cert);
  return ret;
}
