/* test-export-client.c — the export client (RidgeExporter, profiles, tokens, the outbox)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Against ridge-test-server (a child process) and, for exact server behaviour (Retry-After,
 * 5xx sequences, per-item answers, garbled answers), a SoupServer in this process.
 */
#include "config.h"

#include "ridge-export.h"
#include "ridge-secret.h"
#include "ridge-store-private.h"
#include "test-export-client-util.h"

/* ---- helpers ------------------------------------------------------------------------- */

typedef struct {
  gboolean           done;
  gboolean           ok;
  GError            *error;
  RidgeExportSummary summary;
  guint              n_progress;
} RunResult;

static void
run_done_cb (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  RunResult *r = user_data;

  r->ok = ridge_exporter_run_finish (RIDGE_EXPORTER (source), res, &r->summary, &r->error);
  r->done = TRUE;
}

static void
count_progress (RidgeExporter            *exporter,
                const RidgeExportSummary *s,
                gpointer                  user_data)
{
  RunResult *r = user_data;

  g_assert_true (s->sent <= s->total);
  r->n_progress++;
}

static void
run_result_clear (RunResult *r)
{
  g_clear_error (&r->error);
  ridge_export_summary_clear (&r->summary);
}

static void
run_export (RidgeExporter   *exporter,
            RidgeExportQueue queue,
            RunResult       *r)
{
  memset (r, 0, sizeof *r);
  g_signal_connect (exporter, "progress", G_CALLBACK (count_progress), r);
  ridge_exporter_run_async (exporter, queue, NULL, FALSE, NULL, run_done_cb, r);
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_func (exporter, count_progress, r);
}

static char *
new_store_path (void)
{
  static guint n;

  return g_strdup_printf ("%s/store-%u.db", work_dir, ++n);
}

static gint64
queued_count (RidgeStore *store,
              const char *destination)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) st = ridge_store_export_status (store, destination, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (st->len, ==, 1);
  return ((RidgeStoreExportStatus *)st->pdata[0])->queued;
}

/* ---- a scripted HTTPS server in this process ------------------------------------------- */

typedef enum {
  STEP_OK,          /* answer every item with the statuses of `statuses` (cycled) */
  STEP_STATUS,      /* answer `status` with an optional Retry-After */
  STEP_GARBLED,     /* 200 with one result too few */
} StepKind;

typedef struct {
  StepKind    kind;
  guint       status;
  const char *retry_after;  /* "1", "DATE+2" (an HTTP-date 2 s ahead), or NULL */
} Step;

typedef struct {
  SoupServer        *server;
  char              *url;
  const Step        *steps;       /* for POST /v1/batches, in order; the last one repeats */
  guint              n_steps;
  guint              n_batches;
  gint64             batch_times[16];
  const char *const *statuses;    /* for STEP_OK; NULL: all "created" */
  GHashTable        *seen;        /* key → id */
} Mini;

static void
mini_json (SoupServerMessage *msg,
           guint              status,
           const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json,
                                    strlen (json));
}

static void
mini_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Mini *m = user_data;
  const Step *step;
  SoupMessageBody *req;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  JsonArray *items;
  guint n;

  if (g_strcmp0 (soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                               "Authorization"), "Bearer " TEST_TOKEN) != 0)
    {
      mini_json (msg, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"no\"}}");
      return;
    }
  if (g_str_equal (path, "/v1/status"))
    {
      mini_json (msg, 200, "{\"api\":1,\"server\":\"mini/1\",\"templates\":0}");
      return;
    }
  g_assert_cmpstr (path, ==, "/v1/batches");
  if (m->n_batches < G_N_ELEMENTS (m->batch_times))
    m->batch_times[m->n_batches] = g_get_monotonic_time ();
  step = &m->steps[MIN (m->n_batches, m->n_steps - 1)];
  m->n_batches++;
  if (step->kind == STEP_STATUS)
    {
      if (step->retry_after && g_str_equal (step->retry_after, "DATE+2"))
        {
          g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
          g_autoptr (GDateTime) later = g_date_time_add_seconds (now, 2);
          g_autofree char *date = soup_date_time_to_string (later, SOUP_DATE_HTTP);
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", date);
        }
      else if (step->retry_after)
        soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                      "Retry-After", step->retry_after);
      mini_json (msg, step->status, "{\"error\":{\"code\":\"x\",\"message\":\"scripted\"}}");
      return;
    }
  req = soup_server_message_get_request_body (msg);
  g_assert_true (json_parser_load_from_data (parser, req->data, req->length, NULL));
  items = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "items");
  n = json_array_get_length (items);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "results");
  json_builder_begin_array (b);
  for (guint i = 0; i < (step->kind == STEP_GARBLED ? n - 1 : n); i++)
    {
      JsonObject *it = json_array_get_object_element (items, i);
      const char *key = json_object_get_string_member (it, "idempotency_key");
      const char *st = m->statuses ? m->statuses[i % g_strv_length ((char **)m->statuses)]
                                   : "created";
      g_autofree char *id = g_strdup_printf ("s%u", g_hash_table_size (m->seen) + 1);

      /* What the client sends follows the contract. */
      g_assert_cmpstr (json_object_get_string_member (it, "format"), ==, "iso-19794-2-2005");
      g_assert_cmpuint (strlen (json_object_get_string_member (it, "sha256")), ==, 64);
      if (g_hash_table_contains (m->seen, key))
        st = "replayed";
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "idempotency_key");
      json_builder_add_string_value (b, key);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, st);
      if (g_str_equal (st, "created") || g_str_equal (st, "replayed"))
        {
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, g_hash_table_contains (m->seen, key)
                                         ? g_hash_table_lookup (m->seen, key) : id);
          if (!g_hash_table_contains (m->seen, key))
            g_hash_table_insert (m->seen, g_strdup (key), g_strdup (id));
        }
      else if (g_str_equal (st, "duplicate"))
        {
          json_builder_set_member_name (b, "duplicate_of");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, "s99");
          json_builder_set_member_name (b, "user");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_string_value (b, "emp-7");
          json_builder_set_member_name (b, "name");
          json_builder_add_string_value (b, "Grace");
          json_builder_end_object (b);
          json_builder_set_member_name (b, "finger");
          json_builder_add_int_value (b, 2);
          json_builder_set_member_name (b, "score");
          json_builder_add_int_value (b, 87);
          json_builder_end_object (b);
        }
      else
        {
          json_builder_set_member_name (b, "error");
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "code");
          json_builder_add_string_value (b, g_str_equal (st, "rejected") ? "invalid_template"
                                                                         : "conflict");
          json_builder_set_member_name (b, "message");
          json_builder_add_string_value (b, g_str_equal (st, "rejected")
                                         ? "The record has no minutiae"
                                         : "The key was used with other bytes");
          json_builder_end_object (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  mini_json (msg, 200, text);
}

static void
mini_start (Mini       *m,
            const Step *steps,
            guint       n_steps)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) cert = g_tls_certificate_new_from_files (cert_path, key_path,
                                                                       &error);
  GSList *uris;

  g_assert_no_error (error);
  memset (m, 0, sizeof *m);
  m->steps = steps;
  m->n_steps = n_steps;
  m->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->server = soup_server_new ("tls-certificate", cert, NULL);
  soup_server_add_handler (m->server, "/v1", mini_handler, m, NULL);
  g_assert_true (soup_server_listen_local (m->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY
                                           | SOUP_SERVER_LISTEN_HTTPS, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (m->server);
  m->url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify)g_uri_unref);
}

static void
mini_stop (Mini *m)
{
  soup_server_disconnect (m->server);
  g_clear_object (&m->server);
  /* Let the closed connections go. */
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
  g_clear_pointer (&m->url, g_free);
  g_clear_pointer (&m->seen, g_hash_table_unref);
}

static RidgeExporter *
new_exporter (RidgeStore *store,
              const char *name,
              const char *url,
              const char *pin,
              const char *token,
              guint       batch)
{
  g_autoptr (RidgeExportProfile) p = ridge_export_profile_new (name, url, pin, batch);
  RidgeExporter *e = ridge_exporter_new (store, p, token);

  ridge_exporter_set_backoff (e, 10, 40);
  ridge_exporter_set_timeout (e, 5);
  return e;
}

/* ---- tests ------------------------------------------------------------------------------ */

/* The store's outbox API on its own. */
static void
test_outbox_store (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 6, 11);
  g_autoptr (GPtrArray) items = NULL;
  g_autoptr (GPtrArray) st = NULL;
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  const char *users[] = { "user-00002", "user-00003", NULL };
  const char *uuid = ridge_store_get_uuid (store);
  gint64 ids[2];

  /* The UUID: 36 characters, version 4, kept across opens. */
  g_assert_cmpuint (strlen (uuid), ==, 36);
  g_assert_cmpint (uuid[14], ==, '4');
  {
    g_autoptr (RidgeStore) again = ridge_store_new (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ridge_store_get_uuid (again), ==, uuid);
  }
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "a", (const char *const *)users,
                                                   &error), ==, 2);
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "a", NULL, &error), ==, 4);
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "a", NULL, &error), ==, 0);
  /* The same keys for another destination are other items. */
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "b", NULL, &error), ==, 6);
  g_assert_no_error (error);
  items = ridge_store_outbox_queued (store, "a", 0, 100, &error);
  g_assert_cmpuint (items->len, ==, 6);
  g_assert_true (g_str_has_prefix (((RidgeStoreOutboxItem *)items->pdata[0])->idempotency_key,
                                   uuid));

  /* A final answer, a failed attempt, an answer for an item no longer queued. */
  ids[0] = ((RidgeStoreOutboxItem *)items->pdata[0])->id;
  ids[1] = ((RidgeStoreOutboxItem *)items->pdata[1])->id;
  g_assert_true (ridge_store_outbox_finish (store, ids[0], RIDGE_OUTBOX_DUPLICATE, "s9",
                                            "same finger as bob", &error));
  g_assert_false (ridge_store_outbox_finish (store, ids[0], RIDGE_OUTBOX_DONE, "s1", NULL,
                                             &error));
  g_assert_no_error (error);
  g_assert_true (ridge_store_outbox_retry (store, &ids[1], 1, "HTTP 503", 42, &error));
  g_clear_pointer (&items, g_ptr_array_unref);
  items = ridge_store_outbox_list (store, "a", "duplicate", &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->remote_id, ==, "s9");
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->last_error, ==,
                   "same finger as bob");
  g_assert_cmpint (((RidgeStoreOutboxItem *)items->pdata[0])->finished_ms, >, 0);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = ridge_store_outbox_queued (store, "a", 0, 100, &error);
  g_assert_cmpuint (items->len, ==, 5);
  g_assert_cmpuint (((RidgeStoreOutboxItem *)items->pdata[0])->attempts, ==, 1);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->last_error, ==, "HTTP 503");

  /* A new version supersedes the queued old one. */
  {
    g_autoptr (GBytes) iso = NULL;
    RidgeStoreTemplateData d = { 0 };
    store_test_make_enroll (999, 1, e);
    iso = store_test_fmr (e, 3, RIDGE_FMR_FORMAT_ISO);
    d.user_external_id = "user-00003";   /* its item is still queued (one failed attempt) */
    d.finger = 3;
    d.iso_record = iso;
    g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), >, 0);
  }
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "a", NULL, &error), ==, 1);
  g_clear_pointer (&items, g_ptr_array_unref);
  items = ridge_store_outbox_list (store, "a", "superseded", &error);
  g_assert_cmpuint (items->len, ==, 1);

  /* Status per destination, and the record of a run. */
  g_assert_true (ridge_store_set_export_run (store, "a", 1000, 2000, "The server is busy.",
                                             &error));
  st = ridge_store_export_status (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (st->len, ==, 2);
  {
    RidgeStoreExportStatus *a = st->pdata[0];
    g_assert_cmpstr (a->destination, ==, "a");
    g_assert_cmpint (a->queued, ==, 5);
    g_assert_cmpint (a->duplicates, ==, 1);
    g_assert_cmpint (a->failed, ==, 1);
    g_assert_cmpint (a->last_run_ms, ==, 1000);
    g_assert_cmpint (a->last_success_ms, ==, 0);
    g_assert_cmpstr (a->last_error, ==, "The server is busy.");
  }
  g_assert_true (ridge_store_set_export_run (store, "a", 3000, 4000, NULL, &error));
  g_clear_pointer (&st, g_ptr_array_unref);
  st = ridge_store_export_status (store, "a", &error);
  g_assert_cmpint (((RidgeStoreExportStatus *)st->pdata[0])->last_success_ms, ==, 4000);
  g_assert_null (((RidgeStoreExportStatus *)st->pdata[0])->last_error);
}

/* Schema 2 → 3 keeps outbox items: the key becomes uuid:template:version, "sending" becomes
 * "queued", attempts and reasons stay. */
static void
test_outbox_migration (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) old = ridge_store_new_at_version (path, 2, &error);
  g_autoptr (RidgeStore) store = NULL;
  g_autoptr (GPtrArray) items = NULL;
  g_autofree RidgeEnrollTemplate *e = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) iso = NULL;
  g_autofree char *key = NULL;
  RidgeStoreTemplateData d = { 0 };
  gint64 id;

  g_assert_no_error (error);
  store_test_make_enroll (77, 1, e);
  iso = store_test_fmr (e, 1, RIDGE_FMR_FORMAT_ISO);
  d.user_external_id = "ann";
  d.finger = 1;
  d.iso_record = iso;
  id = ridge_store_put_template (old, &d, NULL, &error);
  g_assert_cmpint (id, >, 0);
  key = g_strdup_printf ("INSERT INTO outbox (template_id, template_version, destination, "
                         "idempotency_key, attempts, next_attempt_ms, state, last_error, "
                         "created_ms) VALUES (%" G_GINT64_FORMAT ", 1, 'hq', 'hq:%"
                         G_GINT64_FORMAT ":1', 2, 5, 'sending', 'HTTP 502', 1)", id, id);
  g_assert_true (ridge_store_exec (old, key, &error));
  g_clear_object (&old);

  store = ridge_store_new (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ridge_store_get_schema_version (store), ==, 3);
  items = ridge_store_outbox_list (store, "hq", NULL, &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_clear_pointer (&key, g_free);
  key = g_strdup_printf ("%s:%" G_GINT64_FORMAT ":1", ridge_store_get_uuid (store), id);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->idempotency_key, ==, key);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->state, ==, "queued");
  g_assert_cmpuint (((RidgeStoreOutboxItem *)items->pdata[0])->attempts, ==, 2);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->last_error, ==, "HTTP 502");
  /* Queuing the same version again finds the migrated item. */
  g_assert_cmpint (ridge_store_outbox_enqueue_all (store, "hq", NULL, &error), ==, 0);
  g_assert_no_error (error);
}

/* Created, then replayed for a second destination on the same server: the key is the
 * store's, so the server keeps one copy. */
static void
test_created_replayed (void)
{
  TestServer srv = { 0 };
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 30, 2);
  g_autoptr (RidgeExporter) a = NULL;
  g_autoptr (RidgeExporter) b = NULL;
  RunResult r;

  test_server_start (&srv, 0, NULL);
  a = new_exporter (store, "a", srv.url, cert_path, TEST_TOKEN, 7);
  run_export (a, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.summary.total, ==, 30);
  g_assert_cmpuint (r.summary.created, ==, 30);
  g_assert_cmpuint (r.summary.remaining, ==, 0);
  g_assert_cmpuint (r.n_progress, >=, 5);   /* 5 batches of 7, 6, … */
  run_result_clear (&r);
  g_assert_cmpint (queued_count (store, "a"), ==, 0);

  run_export (a, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.summary.total, ==, 0);
  run_result_clear (&r);

  b = new_exporter (store, "b", srv.url, cert_path, TEST_TOKEN, 100);
  run_export (b, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.summary.replayed, ==, 30);
  g_assert_cmpuint (r.summary.created, ==, 0);
  run_result_clear (&r);
  test_assert_exactly_once (store, srv.url);
  test_server_clear (&srv);
}

static void
test_token_refused (void)
{
  TestServer srv = { 0 };
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 5, 3);
  g_autoptr (RidgeExporter) e = NULL;
  RunResult r;

  test_server_start (&srv, 0, NULL);
  e = new_exporter (store, "main", srv.url, cert_path, "wrong-token", 100);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_false (r.ok);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_TOKEN_REFUSED);
  g_assert_true (g_str_has_prefix (r.error->message, "The server refused the token."));
  g_assert_null (strstr (r.error->message, "wrong-token"));
  run_result_clear (&r);
  g_assert_cmpint (queued_count (store, "main"), ==, 5);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) st = ridge_store_export_status (store, "main", &error);
    g_assert_true (g_str_has_prefix (((RidgeStoreExportStatus *)st->pdata[0])->last_error,
                                     "The server refused the token."));
  }
  test_server_clear (&srv);
}

static void
store_result (GObject      *source,
              GAsyncResult *res,
              gpointer      user_data)
{
  *(GAsyncResult **)user_data = g_object_ref (res);
}

/* No pin: a self-signed certificate is not trusted. A pin of another certificate: refused.
 * Nothing reaches the server either way. */
static void
test_tls (void)
{
  TestServer srv = { 0 };
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 3, 4);
  g_autoptr (RidgeExporter) plain = NULL;
  g_autoptr (RidgeExporter) wrong = NULL;
  g_autoptr (RidgeExporter) right = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  guint64 count = 99;
  RunResult r;

  test_server_start (&srv, 0, NULL);
  plain = new_exporter (store, "main", srv.url, NULL, TEST_TOKEN, 100);
  run_export (plain, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_TLS_UNTRUSTED);
  g_assert_nonnull (strstr (r.error->message, "pin it"));
  run_result_clear (&r);

  wrong = new_exporter (store, "main", srv.url, other_cert_path, TEST_TOKEN, 100);
  run_export (wrong, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_TLS_PIN_MISMATCH);
  g_assert_true (g_str_has_prefix (r.error->message,
                                   "The server's certificate is not the pinned certificate."));
  run_result_clear (&r);
  g_assert_cmpint (queued_count (store, "main"), ==, 3);

  right = new_exporter (store, "main", srv.url, cert_path, TEST_TOKEN, 100);
  ridge_exporter_test_async (right, NULL, store_result, &res);
  while (res == NULL)
    g_main_context_iteration (NULL, TRUE);
  name = ridge_exporter_test_finish (right, res, &count, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (name, "ridge-test-server/"));
  g_assert_cmpuint (count, ==, 0);
  test_server_clear (&srv);
}

/* 503 with Retry-After: 1, then 429 with an HTTP-date 2 s ahead, then success: the client
 * waits as asked (measured on the server side). */
static void
test_retry_after (void)
{
  static const Step steps[] = {
    { STEP_STATUS, 503, "1" },
    { STEP_STATUS, 429, "DATE+2" },
    { STEP_OK, 200, NULL },
  };
  Mini m;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 4, 5);
  g_autoptr (RidgeExporter) e = NULL;
  RunResult r;
  double gap1, gap2;

  mini_start (&m, steps, G_N_ELEMENTS (steps));
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 100);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.summary.created, ==, 4);
  g_assert_cmpuint (m.n_batches, ==, 3);
  gap1 = (m.batch_times[1] - m.batch_times[0]) / 1e6;
  gap2 = (m.batch_times[2] - m.batch_times[1]) / 1e6;
  g_test_message ("Retry-After: 1 → waited %.3f s; HTTP-date +2 s → waited %.3f s", gap1, gap2);
  g_assert_cmpfloat (gap1, >=, 0.99);
  g_assert_cmpfloat (gap1, <, 1.9);   /* not the backoff's 10 ms, not much more than asked */
  g_assert_cmpfloat (gap2, >=, 0.99); /* the date has whole seconds: 1 to 2 s ahead */
  g_assert_cmpfloat (gap2, <, 2.9);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) done = ridge_store_outbox_list (store, "main", "done", &error);
    g_assert_cmpuint (done->len, ==, 4);
    g_assert_cmpuint (((RidgeStoreOutboxItem *)done->pdata[0])->attempts, ==, 3);
  }
  run_result_clear (&r);
  mini_stop (&m);
}

/* 500, 502, then success; and a run that gives up after its attempts leaves items queued. */
static void
test_server_errors (void)
{
  static const Step flaky[] = {
    { STEP_STATUS, 500, NULL },
    { STEP_STATUS, 502, NULL },
    { STEP_OK, 200, NULL },
  };
  static const Step broken[] = {
    { STEP_STATUS, 500, NULL },
  };
  Mini m;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 4, 6);
  g_autoptr (RidgeExporter) e = NULL;
  RunResult r;

  mini_start (&m, flaky, G_N_ELEMENTS (flaky));
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 100);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.summary.created, ==, 4);
  g_assert_cmpuint (m.n_batches, ==, 3);
  run_result_clear (&r);
  mini_stop (&m);

  mini_start (&m, broken, G_N_ELEMENTS (broken));
  g_clear_object (&e);
  e = new_exporter (store, "other", m.url, cert_path, TEST_TOKEN, 100);
  ridge_exporter_set_max_attempts (e, 4);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_SERVER);
  g_assert_nonnull (strstr (r.error->message, "after 4 attempts"));
  g_assert_cmpuint (m.n_batches, ==, 4);
  g_assert_cmpuint (r.summary.remaining, ==, 4);
  g_assert_cmpint (queued_count (store, "other"), ==, 4);
  run_result_clear (&r);
  mini_stop (&m);
}

/* 413: the batch is halved for the run. */
static void
test_too_large (void)
{
  static const Step steps[] = {
    { STEP_STATUS, 413, NULL },
    { STEP_OK, 200, NULL },
  };
  Mini m;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 4, 12);
  g_autoptr (RidgeExporter) e = NULL;
  RunResult r;

  mini_start (&m, steps, G_N_ELEMENTS (steps));
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 4);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.summary.created, ==, 4);
  g_assert_cmpuint (m.n_batches, ==, 3);   /* 4 refused, then 2 + 2 */
  run_result_clear (&r);
  mini_stop (&m);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelled while waiting out a Retry-After of 30 s: the run ends at once, items queued. */
static void
test_cancel (void)
{
  static const Step steps[] = { { STEP_STATUS, 503, "30" } };
  Mini m;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 3, 13);
  g_autoptr (RidgeExporter) e = NULL;
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  RunResult r = { 0 };
  gint64 t0;

  mini_start (&m, steps, 1);
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 100);
  t0 = g_get_monotonic_time ();
  g_timeout_add (300, cancel_cb, cancellable);
  ridge_exporter_run_async (e, RIDGE_EXPORT_QUEUE_ALL, NULL, FALSE, cancellable, run_done_cb,
                            &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpuint (m.n_batches, ==, 1);
  g_assert_cmpint (queued_count (store, "main"), ==, 3);
  run_result_clear (&r);
  mini_stop (&m);
}

/* Nothing listens: the run fails with "cannot be reached" and every item stays queued with
 * its attempts and reason. */
static void
test_dead_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                           G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autofree char *path = new_store_path ();
  g_autofree char *url = NULL;
  g_autoptr (RidgeStore) store = test_fill_store (path, 3, 7);
  g_autoptr (RidgeExporter) e = NULL;
  g_autoptr (GPtrArray) items = NULL;
  RunResult r;

  /* A port that was free a moment ago and has no listener (bound, closed). */
  g_assert_true (g_socket_bind (sock, any, TRUE, &error));
  bound = g_socket_get_local_address (sock, &error);
  url = g_strdup_printf ("https://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (sock, NULL);

  e = new_exporter (store, "main", url, cert_path, TEST_TOKEN, 100);
  ridge_exporter_set_max_attempts (e, 3);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_UNREACHABLE);
  g_assert_true (g_str_has_prefix (r.error->message, "The server cannot be reached."));
  run_result_clear (&r);
  items = ridge_store_outbox_queued (store, "main", 0, 100, &error);
  g_assert_cmpuint (items->len, ==, 3);
}

/* Per-item answers: created, duplicate (with the other user), rejected, conflict are final
 * with their reasons; nothing is sent again. A garbled answer changes nothing. */
static void
test_final_answers (void)
{
  static const Step ok[] = { { STEP_OK, 200, NULL } };
  static const Step garbled[] = { { STEP_GARBLED, 200, NULL } };
  static const char *const statuses[] = { "created", "duplicate", "rejected", "conflict", NULL };
  Mini m;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 4, 8);
  g_autoptr (RidgeExporter) e = NULL;
  g_autoptr (GPtrArray) items = NULL;
  RunResult r;

  mini_start (&m, garbled, 1);
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 100);
  ridge_exporter_set_max_attempts (e, 2);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_error (r.error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_PROTOCOL);
  run_result_clear (&r);
  g_assert_cmpint (queued_count (store, "main"), ==, 4);
  mini_stop (&m);

  mini_start (&m, ok, 1);
  m.statuses = statuses;
  g_clear_object (&e);
  e = new_exporter (store, "main", m.url, cert_path, TEST_TOKEN, 100);
  run_export (e, RIDGE_EXPORT_QUEUE_NONE, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.summary.created, ==, 1);
  g_assert_cmpuint (r.summary.duplicates, ==, 1);
  g_assert_cmpuint (r.summary.rejected, ==, 1);
  g_assert_cmpuint (r.summary.conflicts, ==, 1);
  run_result_clear (&r);
  items = ridge_store_outbox_list (store, "main", NULL, &error);
  g_assert_cmpuint (items->len, ==, 4);
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[0])->state, ==, "done");
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[1])->state, ==, "duplicate");
  g_assert_nonnull (strstr (((RidgeStoreOutboxItem *)items->pdata[1])->last_error, "Grace"));
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[1])->remote_id, ==, "s99");
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[2])->state, ==, "rejected");
  g_assert_nonnull (strstr (((RidgeStoreOutboxItem *)items->pdata[2])->last_error,
                            "no minutiae"));
  g_assert_cmpstr (((RidgeStoreOutboxItem *)items->pdata[3])->state, ==, "conflict");

  /* Final means final: a new run queues and sends nothing. */
  m.n_batches = 0;
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.summary.total, ==, 0);
  g_assert_cmpuint (m.n_batches, ==, 0);
  run_result_clear (&r);
  mini_stop (&m);
}

/* The server's biometric duplicate check: the same finger under another user. */
static void
test_duplicate_real (void)
{
  TestServer srv = { 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = ridge_store_new (path, &error);
  g_autofree RidgeEnrollTemplate *t = g_new0 (RidgeEnrollTemplate, 1);
  g_autoptr (GBytes) iso = NULL;
  g_autoptr (RidgeExporter) e = NULL;
  g_autoptr (GPtrArray) items = NULL;
  const char *const who[] = { "ann", "bob" };
  RunResult r;

  store_test_make_enroll (4242, 1, t);
  iso = store_test_fmr (t, 2, RIDGE_FMR_FORMAT_ISO);
  for (guint i = 0; i < 2; i++)
    {
      RidgeStoreTemplateData d = { 0 };
      d.user_external_id = who[i];
      d.display_name = who[i];
      d.finger = 2;
      d.iso_record = iso;
      g_assert_cmpint (ridge_store_put_template (store, &d, NULL, &error), >, 0);
    }
  test_server_start (&srv, 0, NULL);
  e = new_exporter (store, "main", srv.url, cert_path, TEST_TOKEN, 1);
  run_export (e, RIDGE_EXPORT_QUEUE_ALL, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.summary.created, ==, 1);
  g_assert_cmpuint (r.summary.duplicates, ==, 1);
  run_result_clear (&r);
  items = ridge_store_outbox_list (store, "main", "duplicate", &error);
  g_assert_cmpuint (items->len, ==, 1);
  g_test_message ("duplicate reason: %s", ((RidgeStoreOutboxItem *)items->pdata[0])->last_error);
  g_assert_nonnull (strstr (((RidgeStoreOutboxItem *)items->pdata[0])->last_error, "ann"));
  test_server_clear (&srv);
}

static void
test_profiles (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeExportProfile) p = ridge_export_profile_new ("main", "https://h.example:8443",
                                                               cert_path, 250);
  g_autoptr (RidgeExportProfile) back = NULL;
  g_auto (GStrv) names = NULL;
  static const char *const bad_urls[] = { "http://h", "https://", "https://h/v1", "h:1",
                                          "https://u@h", "https://h?x=1" };

  g_assert_true (ridge_export_profile_save (p, &error));
  g_assert_no_error (error);
  names = ridge_export_profile_list (&error);
  g_assert_cmpuint (g_strv_length (names), ==, 1);
  back = ridge_export_profile_load ("main", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->url, ==, "https://h.example:8443");
  g_assert_cmpstr (back->pinned_certificate, ==, cert_path);
  g_assert_cmpuint (back->batch_size, ==, 250);
  g_assert_null (ridge_export_profile_load ("nope", &error));
  g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_PROFILE);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autoptr (RidgeExportProfile) bad = ridge_export_profile_new ("x", bad_urls[i], NULL, 1);
      g_assert_false (ridge_export_profile_save (bad, &error));
      g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_INVALID_PROFILE);
      g_clear_error (&error);
    }
  {
    g_autoptr (RidgeExportProfile) bad = ridge_export_profile_new ("../x", "https://h", NULL, 1);
    g_autoptr (RidgeExportProfile) big = ridge_export_profile_new ("x", "https://h", NULL, 501);
    g_autoptr (RidgeExportProfile) nopin = ridge_export_profile_new ("x", "https://h",
                                                                     "/nonexistent.pem", 1);
    g_assert_false (ridge_export_profile_validate (bad, NULL));
    g_assert_false (ridge_export_profile_validate (big, NULL));
    g_assert_false (ridge_export_profile_validate (nopin, &error));
    g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_INVALID_PROFILE);
    g_clear_error (&error);
  }
  g_assert_true (ridge_export_profile_remove ("main", &error));
  g_clear_pointer (&names, g_strfreev);
  names = ridge_export_profile_list (&error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
  g_assert_false (ridge_export_profile_remove ("main", &error));
  g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_PROFILE);
}

/* No keyring in the test (RIDGE_SECRET_BACKEND=file): the private file, and the env. */
static void
test_secret_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = ridge_secret_file_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *token = NULL;
  RidgeSecretBackend where;
  GStatBuf st;

  g_assert_true (g_str_has_prefix (path, work_dir));
  g_assert_cmpint (ridge_secret_store ("main", "t0k3n", &error), ==, RIDGE_SECRET_BACKEND_FILE);
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_stat (dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  token = ridge_secret_lookup ("main", &where, &error);
  g_assert_cmpstr (token, ==, "t0k3n");
  g_assert_cmpint (where, ==, RIDGE_SECRET_BACKEND_FILE);
  g_clear_pointer (&token, g_free);

  g_setenv ("RIDGE_EXPORT_TOKEN", "from-env", TRUE);
  token = ridge_secret_lookup ("main", &where, &error);
  g_assert_cmpstr (token, ==, "from-env");
  g_assert_cmpint (where, ==, RIDGE_SECRET_BACKEND_ENV);
  g_unsetenv ("RIDGE_EXPORT_TOKEN");
  g_clear_pointer (&token, g_free);

  g_assert_cmpint (ridge_secret_store ("main", "line\nbreak", &error), ==,
                   RIDGE_SECRET_BACKEND_NONE);
  g_assert_error (error, RIDGE_EXPORT_ERROR, RIDGE_EXPORT_ERROR_NO_TOKEN);
  g_clear_error (&error);
  g_assert_true (ridge_secret_clear ("main", &error));
  token = ridge_secret_lookup ("main", &where, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  g_assert_cmpint (where, ==, RIDGE_SECRET_BACKEND_NONE);
}

/* ridgectl export end to end: profiles, the token from stdin, dry run, users, status, exit
 * codes. */
static int
run_ctl (const char  *stdin_text,
         JsonObject **json_out,
         char       **err_out,
         ...)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
    | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *config = g_build_filename (work_dir, "ctl-config", NULL);
  g_autofree char *schemas = g_build_filename (g_getenv ("RIDGE_BUILD_ROOT"), "data", NULL);
  const char *a;
  va_list ap;

  g_ptr_array_add (argv, (char *)g_getenv ("RIDGECTL_EXE"));
  va_start (ap, err_out);
  while ((a = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *)a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", schemas, TRUE);
  g_subprocess_launcher_setenv (launcher, "GSETTINGS_BACKEND", "keyfile", TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_setenv (launcher, "RIDGE_SECRET_BACKEND", "file", TRUE);
  g_subprocess_launcher_unsetenv (launcher, "RIDGE_EXPORT_TOKEN");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");
  if (stdin_text && g_str_has_prefix (stdin_text, "ENV:"))
    {
      g_subprocess_launcher_setenv (launcher, "RIDGE_EXPORT_TOKEN", stdin_text + 4, TRUE);
      stdin_text = NULL;
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *)argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, stdin_text ? stdin_text : "", NULL, &out,
                                                &err, &error));
  g_assert_no_error (error);
  /* The token is never echoed. */
  g_assert_null (strstr (out, TEST_TOKEN));
  g_assert_null (strstr (err, TEST_TOKEN));
  if (json_out)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      if (!json_parser_load_from_data (parser, out, -1, &error))
        g_error ("not JSON: %s (stderr: %s)", out, err);
      *json_out = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
    }
  if (err_out)
    *err_out = g_steal_pointer (&err);
  return g_subprocess_get_exit_status (proc);
}

static void
test_ridgectl (void)
{
  TestServer srv = { 0 };
  g_autofree char *path = new_store_path ();
  g_autoptr (RidgeStore) store = test_fill_store (path, 6, 9);
  g_autoptr (JsonObject) o = NULL;
  g_autofree char *err = NULL;
  g_autofree char *token_file = g_build_filename (work_dir, "ctl-config", "ridge", "tokens",
                                                  NULL);
  GStatBuf st;

  test_server_start (&srv, 0, NULL);
  g_assert_cmpint (run_ctl (NULL, NULL, NULL, "export", "profile", "add", "srv", srv.url,
                            "--pin-cert", cert_path, "--batch", "2", NULL), ==, 0);
  g_assert_cmpint (run_ctl (NULL, &o, NULL, "--json", "export", "profile", "list", NULL), ==, 0);
  {
    JsonObject *p = json_array_get_object_element (json_object_get_array_member (o, "profiles"),
                                                   0);
    g_assert_cmpstr (json_object_get_string_member (p, "name"), ==, "srv");
    g_assert_cmpint (json_object_get_int_member (p, "batch_size"), ==, 2);
  }
  g_clear_pointer (&o, json_object_unref);

  /* No token yet: exit 1 with the sentence. */
  g_assert_cmpint (run_ctl (NULL, NULL, &err, "export", "--profile", "srv", "--store", path,
                            NULL), ==, 1);
  g_assert_nonnull (strstr (err, "There is no token for this server profile."));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (TEST_TOKEN "\n", NULL, NULL, "export", "token", "set", "srv", NULL),
                   ==, 0);
  g_assert_cmpint (g_stat (token_file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* A dry run counts and changes nothing. */
  g_assert_cmpint (run_ctl (NULL, &o, NULL, "--json", "export", "--profile", "srv", "--store",
                            path, "--dry-run", NULL), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "queued_now"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (o, "total"), ==, 6);
  g_clear_pointer (&o, json_object_unref);
  g_assert_cmpint (ridge_store_count_rows (store, "outbox", NULL), ==, 0);

  /* Two users, then the rest. */
  g_assert_cmpint (run_ctl (NULL, &o, NULL, "--json", "export", "--profile", "srv", "--store",
                            path, "--queue", "user-00001,user-00002", NULL), ==, 0);
  g_assert_cmpint (json_object_get_int_member (o, "created"), ==, 2);
  g_assert_true (json_object_get_boolean_member (o, "ok"));
  g_assert_cmpstr (json_object_get_string_member (o, "token_source"), ==, "file");
  g_clear_pointer (&o, json_object_unref);
  g_assert_cmpint (run_ctl (NULL, NULL, &err, "export", "--profile", "srv", "--store", path,
                            NULL), ==, 0);
  g_assert_nonnull (strstr (err, "export: 4/4 answered (created 4,"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_ctl (NULL, &o, NULL, "--json", "export", "status", "--store", path,
                            "--profile", "srv", NULL), ==, 0);
  {
    JsonObject *d = json_array_get_object_element (
      json_object_get_array_member (o, "destinations"), 0);
    g_assert_cmpint (json_object_get_int_member (d, "done"), ==, 6);
    g_assert_cmpint (json_object_get_int_member (d, "queued"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (d, "last_sync_unix_ms"), >, 0);
  }
  g_clear_pointer (&o, json_object_unref);

  /* Exit codes: a refused token (2), no such profile (4). */
  g_assert_cmpint (run_ctl ("ENV:bad", &o, NULL, "--json", "export", "--profile", "srv",
                            "--store", path, NULL), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (o, "error"),
                                                  "code"), ==, "TOKEN_REFUSED");
  g_clear_pointer (&o, json_object_unref);
  g_assert_cmpint (run_ctl (NULL, NULL, NULL, "export", "--profile", "nope", "--store", path,
                            NULL), ==, 4);
  g_assert_cmpint (run_ctl (NULL, NULL, NULL, "export", "token", "clear", "srv", NULL), ==, 0);
  g_assert_cmpint (run_ctl (NULL, NULL, NULL, "export", "profile", "remove", "srv", NULL), ==, 0);
  g_assert_cmpint (run_ctl (NULL, NULL, NULL, "export", "profile", "remove", "srv", NULL), ==, 4);
  test_server_clear (&srv);
}

/* A session bus without a Secret Service (a desktop-less machine with D-Bus): the keyring
 * does not answer, the token goes to the file, and ridgectl says so. */
static void
test_no_keyring_on_bus (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dbus_run = g_find_program_in_path ("dbus-run-session");
  g_autofree char *config = g_build_filename (work_dir, "bus-config", NULL);
  g_autofree char *file = g_build_filename (config, "ridge", "tokens", NULL);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  const char *argv[] = { dbus_run, "--", g_getenv ("RIDGECTL_EXE"), "export", "token", "set",
                         "bus", NULL };
  GStatBuf st;

  if (dbus_run == NULL)
    {
      g_test_skip ("dbus-run-session is not installed");
      return;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "RIDGE_SECRET_BACKEND");
  g_subprocess_launcher_unsetenv (launcher, "RIDGE_EXPORT_TOKEN");
  proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (proc, TEST_TOKEN "\n", NULL, &out, NULL,
                                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (out, "no keyring answered"));
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

int
main (int   argc,
      char *argv[])
{
  const char *build_root = g_getenv ("RIDGE_BUILD_ROOT");
  g_autofree char *schema_dir = NULL;
  g_autofree char *config = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  if ((ret = test_setup_work_dir ("client")) != 0)
    return ret;
  /* Before anything caches them: settings in memory, tokens in the work folder. */
  schema_dir = g_build_filename (build_root ? build_root : ".", "data", NULL);
  config = g_build_filename (work_dir, "config", NULL);
  g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("RIDGE_SECRET_BACKEND", "file", TRUE);
  g_unsetenv ("RIDGE_EXPORT_TOKEN");

  g_test_add_func ("/export-client/outbox-store", test_outbox_store);
  g_test_add_func ("/export-client/outbox-migration", test_outbox_migration);
  g_test_add_func ("/export-client/created-replayed", test_created_replayed);
  g_test_add_func ("/export-client/token-refused", test_token_refused);
  g_test_add_func ("/export-client/tls", test_tls);
  g_test_add_func ("/export-client/retry-after", test_retry_after);
  g_test_add_func ("/export-client/server-errors", test_server_errors);
  g_test_add_func ("/export-client/too-large", test_too_large);
  g_test_add_func ("/export-client/cancel", test_cancel);
  g_test_add_func ("/export-client/dead-server", test_dead_server);
  g_test_add_func ("/export-client/final-answers", test_final_answers);
  g_test_add_func ("/export-client/duplicate", test_duplicate_real);
  g_test_add_func ("/export-client/profiles", test_profiles);
  g_test_add_func ("/export-client/secret-file", test_secret_file);
  if (g_getenv ("RIDGECTL_EXE"))
    {
      g_test_add_func ("/export-client/ridgectl", test_ridgectl);
      g_test_add_func ("/export-client/no-keyring-on-bus", test_no_keyring_on_bus);
    }
  ret = g_test_run ();
  rm_rf (work_dir);
  return ret;
}
