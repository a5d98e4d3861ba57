/* test-terminal.c — starts the real ridge-terminal and talks to it with the wire codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts its own ridge-terminal (tests/common/ridge-test-terminal.h: 127.0.0.1,
 * --port 0, a temporary state folder, a control socket) with an images sensor over PGM
 * files this test writes. Only 127.0.0.1 is ever used.
 */
#define G_LOG_DOMAIN "test-terminal"
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>

#include "ridge-test-terminal.h"
#include "ridge-wire.h"

#define IMG_W 64
#define IMG_H 48

/* ---- fixture: a terminal process ------------------------------------------------------ */

typedef struct {
  RidgeTestTerminal *rt;   /* the process, its temp folder (state, control socket, port) */
  char              *images;
  guint16            port; /* of the running terminal; 0 when a may_fail start failed */
  int                discovery_port;
  const char        *fp_socket; /* FP_VIRTUAL_IMAGE for the libfprint sensor */
  gboolean           may_fail;  /* a start that fails leaves port = 0 instead of failing */
} Term;

static guint8 *
test_image (guint finger,
            guint impression)
{
  guint8 *px = g_malloc (IMG_W * IMG_H);

  for (int y = 0; y < IMG_H; y++)
    for (int x = 0; x < IMG_W; x++)
      px[y * IMG_W + x] = (x * 3 + y * 5 + finger * 17 + impression * 29 + (x * y) % 7) & 0xff;
  return px;
}

static void
write_pgm (const char *dir,
           guint       finger,
           guint       impression)
{
  g_autofree guint8 *px = test_image (finger, impression);
  g_autofree char *name = g_strdup_printf ("%u_%u.pgm", finger, impression);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *head = g_strdup_printf ("P5\n%d %d\n255\n", IMG_W, IMG_H);
  GString *s = g_string_new (head);

  g_string_append_len (s, (const char *)px, IMG_W * IMG_H);
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_string_free (s, TRUE);
}

static void
term_start_args (Term        *t,
                 const char  *sensor,
                 const char **extra)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  if (t->discovery_port != 0)
    g_ptr_array_add (argv, g_strdup_printf ("--discovery-port=%d", t->discovery_port));
  g_ptr_array_add (argv, g_strdup ("--fps=50"));
  if (sensor != NULL)
    g_ptr_array_add (argv, g_strdup_printf ("--sensor=%s", sensor));
  else
    g_ptr_array_add (argv, g_strdup_printf ("--sensor=images:%s", t->images));
  for (guint i = 0; extra && extra[i]; i++)
    g_ptr_array_add (argv, g_strdup (extra[i]));
  g_ptr_array_add (argv, NULL);

  if (t->fp_socket != NULL)
    ridge_test_terminal_setenv (t->rt, "FP_VIRTUAL_IMAGE", t->fp_socket);
  t->port = 0;
  if (t->may_fail)
    {
      if (!ridge_test_terminal_try_spawn (t->rt, (const char *const *)argv->pdata))
        return;
    }
  else
    ridge_test_terminal_spawn (t->rt, (const char *const *)argv->pdata);
  t->port = ridge_test_terminal_get_port (t->rt);
}

/* SIGTERM, and a clean exit */
static void
term_stop (Term *t)
{
  ridge_test_terminal_terminate (t->rt);
}

static void
term_init (Term *t)
{
  memset (t, 0, sizeof *t);
  t->rt = ridge_test_terminal_new (g_getenv ("RIDGE_TERMINAL"), "ridge-terminal-test",
                                   RIDGE_TEST_TERMINAL_CONTROL);
  /* a failing test must not leave its terminal running (meson would wait for it) */
  ridge_test_terminal_set_death_signal (t->rt, SIGTERM);
  /* the terminal warns about damaged files it skips: only criticals are bugs there */
  ridge_test_terminal_setenv (t->rt, "G_DEBUG", "fatal-criticals");
  t->images = g_build_filename (ridge_test_terminal_get_dir (t->rt), "images", NULL);
  g_assert_cmpint (g_mkdir (t->images, 0700), ==, 0);
  for (guint f = 1; f <= 2; f++)
    for (guint i = 1; i <= 3; i++)
      write_pgm (t->images, f, i);
}

static void
term_clear (Term *t)
{
  term_stop (t);
  g_clear_pointer (&t->rt, ridge_test_terminal_free);
  g_free (t->images);
}

static void
term_start (Term *t,
            ...)
{
  const char *extra[16];
  guint n = 0;
  va_list ap;
  const char *a;

  va_start (ap, t);
  while ((a = va_arg (ap, const char *)) != NULL && n < 15)
    extra[n++] = a;
  va_end (ap);
  extra[n] = NULL;
  term_start_args (t, NULL, extra);
}

/* ---- control socket ------------------------------------------------------------------ */

static char *
control (Term       *t,
         const char *format,
         ...)
{
  g_autofree char *cmd = NULL;
  va_list ap;

  va_start (ap, format);
  cmd = g_strdup_vprintf (format, ap);
  va_end (ap);
  return ridge_test_terminal_control (t->rt, cmd);
}

static void
control_ok (Term       *t,
            const char *cmd)
{
  g_autofree char *answer = control (t, "%s", cmd);

  if (!g_str_has_prefix (answer, "ok"))
    g_error ("control \"%s\" answered \"%s\"", cmd, answer);
}

/* ---- wire client --------------------------------------------------------------------- */

typedef struct {
  GSocketConnection *conn;
  GSocket           *socket;
  RidgeWireDecoder   dec;
  guint8            *payload_buf;
  guint32            seq;
  gboolean           eof;
  guint8             buf[65536];
  gsize              buf_len;
  gsize              buf_off;
} Client;

typedef struct {
  RidgeWireHeader hdr;
  guint8         *payload;
  RidgeWireMsg    msg;
} Frame;

static void
frame_free (Frame *f)
{
  g_free (f->payload);
  g_free (f);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

static Client *
client_connect (Term * t)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketClient) sc = g_socket_client_new ();
  Client *c = g_new0 (Client, 1);

  g_socket_client_set_enable_proxy (sc, FALSE);
  c->conn = g_socket_client_connect_to_host (sc, "127.0.0.1", t->port, NULL, &error);
  g_assert_no_error (error);
  c->socket = g_socket_connection_get_socket (c->conn);
  c->payload_buf = g_malloc (RIDGE_WIRE_MAX_PAYLOAD);
  ridge_wire_decoder_init (&c->dec, c->payload_buf, RIDGE_WIRE_MAX_PAYLOAD);
  return c;
}

static void
client_free (Client *c)
{
  g_io_stream_close (G_IO_STREAM (c->conn), NULL, NULL);
  g_object_unref (c->conn);
  g_free (c->payload_buf);
  g_free (c);
}

static void
client_send_raw (Client       *c,
                 const guint8 *data,
                 gsize         len)
{
  g_autoptr (GError) error = NULL;
  gsize done = 0;

  while (done < len)
    {
      gssize n = g_socket_send (c->socket, (const char *)data + done, len - done, NULL, &error);
      g_assert_no_error (error);
      done += n;
    }
}

static guint32
client_send (Client             *c,
             guint16             type,
             guint8              flags,
             const RidgeWireMsg *msg)
{
  g_autofree guint8 *buf = g_malloc (RIDGE_WIRE_OVERHEAD + 70000);
  guint32 seq = ++c->seq;
  int32_t n = ridge_wire_encode (buf, RIDGE_WIRE_OVERHEAD + 70000, type, flags, seq, msg);

  g_assert_cmpint (n, >, 0);
  client_send_raw (c, buf, n);
  return seq;
}

/* Waits up to timeout_ms for the next frame; NULL on timeout or end of stream. */
static Frame *
client_recv (Client *c,
             guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (;;)
    {
      while (c->buf_off < c->buf_len)
        {
          size_t used = 0;
          RidgeWireDecStatus st = ridge_wire_decoder_feed (&c->dec, c->buf + c->buf_off,
                                                           c->buf_len - c->buf_off, &used);
          c->buf_off += used;
          if (st == RIDGE_WIRE_DEC_FRAME)
            {
              Frame *f = g_new0 (Frame, 1);
              f->hdr = c->dec.header;
              f->payload = g_memdup2 (c->dec.payload, MAX (1, f->hdr.length));
              g_assert_cmpint (ridge_wire_decode (&f->hdr, f->payload, &f->msg), ==,
                               RIDGE_WIRE_OK);
              return f;
            }
        }
      {
        g_autoptr (GError) error = NULL;
        gint64 left = deadline - g_get_monotonic_time ();
        gssize n;

        if (left <= 0)
          return NULL;
        if (!g_socket_condition_timed_wait (c->socket, G_IO_IN, left, NULL, &error))
          return NULL;
        n = g_socket_receive (c->socket, (char *)c->buf, sizeof c->buf, NULL, &error);
        if (n <= 0)
          {
            c->eof = TRUE;
            c->buf_len = c->buf_off = 0;
            return NULL;
          }
        c->buf_len = n;
        c->buf_off = 0;
      }
    }
}

/* Skips events until the response to seq arrives. */
static Frame *
client_wait (Client *c,
             guint32 seq,
             guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  for (;;)
    {
      gint64 left = (deadline - g_get_monotonic_time ()) / 1000;
      Frame *f = left > 0 ? client_recv (c, left) : NULL;
      if (f == NULL)
        return NULL;
      if ((f->hdr.flags & RIDGE_WIRE_FLAG_RESPONSE) && f->hdr.seq == seq)
        return f;
      frame_free (f);
    }
}

static Frame *
request (Client             *c,
         guint16             type,
         const RidgeWireMsg *msg)
{
  guint32 seq = client_send (c, type, 0, msg);
  Frame *f = client_wait (c, seq, 5000);

  g_assert_nonnull (f);
  g_assert_cmpuint (f->hdr.type, ==, type);
  return f;
}

static Frame *
request_ok (Client             *c,
            guint16             type,
            const RidgeWireMsg *msg)
{
  Frame *f = request (c, type, msg);

  if (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR)
    g_error ("%s failed: %s %.*s", ridge_wire_type_name (type),
             ridge_wire_error_code_name (f->msg.error.code), f->msg.error.text.len,
             f->msg.error.text.ptr);
  return f;
}

static void
assert_error (Frame  *f,
              guint16 code)
{
  g_assert_nonnull (f);
  g_assert_true (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
  if (f->msg.error.code != code)
    g_error ("expected %s, got %s: %.*s", ridge_wire_error_code_name (code),
             ridge_wire_error_code_name (f->msg.error.code), f->msg.error.text.len,
             f->msg.error.text.ptr);
}

static Client *
client_hello (Term *t)
{
  Client *c = client_connect (t);
  RidgeWireMsg msg = { 0 };
  g_autoptr (Frame) f = NULL;

  msg.hello.version_min = 1;
  msg.hello.version_max = 1;
  msg.hello.max_payload = RIDGE_WIRE_MAX_PAYLOAD;
  msg.hello.client_name = (RidgeWireStr) { "test-terminal", 13 };
  f = request_ok (c, RIDGE_MSG_HELLO, &msg);
  return c;
}

static gboolean
str_eq (RidgeWireStr s,
        const char  *want)
{
  return s.len == strlen (want) && memcmp (s.ptr, want, s.len) == 0;
}

static gboolean
str_contains (RidgeWireStr s,
              const char  *want)
{
  g_autofree char *z = g_strndup (s.ptr, s.len);

  return strstr (z, want) != NULL;
}

/* ---- tests --------------------------------------------------------------------------- */

static void
test_handshake (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  g_autoptr (Frame) hello = NULL;
  g_autoptr (Frame) pong = NULL;
  g_autoptr (Frame) info = NULL;
  g_autoptr (Frame) bye = NULL;
  RidgeWireTerminalInfo *i;

  term_init (&t);
  term_start (&t, "--serial=TEST-0001", "--capacity=7", NULL);
  c = client_connect (&t);
  msg.hello.version_min = 1;
  msg.hello.version_max = 3;
  msg.hello.max_payload = 65536;
  msg.hello.client_name = (RidgeWireStr) { "test", 4 };
  hello = request_ok (c, RIDGE_MSG_HELLO, &msg);
  g_assert_true (hello->hdr.flags & RIDGE_WIRE_FLAG_RESPONSE);
  i = &hello->msg.info;
  g_assert_cmpuint (i->version, ==, 1);
  g_assert_true (str_eq (i->model, "Ridge Reference Terminal"));
  g_assert_true (str_eq (i->serial, "TEST-0001"));
  g_assert_true (str_contains (i->firmware_version, "ridge-terminal"));
  g_assert_cmpuint (i->algorithm_version.len, >, 0);
  g_assert_cmpuint (i->sensor_type, ==, RIDGE_SENSOR_IMAGES);
  g_assert_cmpuint (i->width, ==, IMG_W);
  g_assert_cmpuint (i->height, ==, IMG_H);
  g_assert_cmpuint (i->dpi, ==, 500);
  g_assert_cmpuint (i->template_capacity, ==, 7);
  g_assert_cmpuint (i->template_count, ==, 0);
  g_assert_cmpuint (i->boot_counter, ==, 1);
  g_assert_cmpuint (i->uptime_ms, <, 60000);
  g_assert_true (i->capabilities & RIDGE_CAP_CAPTURE);
  g_assert_true (i->capabilities & RIDGE_CAP_STREAM);
  g_assert_true (i->capabilities & RIDGE_CAP_COMPRESS_RICE);
  g_assert_cmpuint (i->max_payload, >=, 65536);

  memset (&msg, 0, sizeof msg);
  msg.ping.client_time_us = 123456789;
  pong = request_ok (c, RIDGE_MSG_PING, &msg);
  g_assert_cmpuint (pong->msg.pong.client_time_us, ==, 123456789);
  g_assert_cmpuint (pong->msg.pong.boot_counter, ==, 1);
  g_assert_cmpuint (pong->msg.pong.terminal_time_us, >, 0);

  info = request_ok (c, RIDGE_MSG_INFO, NULL);
  g_assert_true (str_eq (info->msg.info.serial, "TEST-0001"));

  memset (&msg, 0, sizeof msg);
  bye = request_ok (c, RIDGE_MSG_GOODBYE, &msg);
  g_assert_null (client_recv (c, 3000));
  g_assert_true (c->eof);
  client_free (c);
  term_clear (&t);
}

static void
test_version (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  g_autoptr (Frame) f = NULL;
  g_autoptr (Frame) g = NULL;
  RidgeWireHeader hdr = { 0 };
  guint8 raw[64];
  int32_t n;

  term_init (&t);
  term_start (&t, NULL);
  c = client_connect (&t);
  msg.hello.version_min = 2;
  msg.hello.version_max = 4;
  msg.hello.max_payload = 65536;
  f = request (c, RIDGE_MSG_HELLO, &msg);
  assert_error (f, RIDGE_ERR_VERSION);

  /* a frame whose header says version 2 */
  hdr.version = 2;
  hdr.type = RIDGE_MSG_PING;
  hdr.seq = 77;
  hdr.length = 8;
  n = ridge_wire_frame_write (raw, sizeof raw, &hdr, (const guint8 *)"\0\0\0\0\0\0\0\0");
  g_assert_cmpint (n, >, 0);
  client_send_raw (c, raw, n);
  g = client_wait (c, 77, 3000);
  assert_error (g, RIDGE_ERR_VERSION);
  client_free (c);
  term_clear (&t);
}

static void
test_errors (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  RidgeWireHeader hdr = { 0 };
  guint8 raw[64];
  int32_t n;

  term_init (&t);
  term_start (&t, NULL);
  c = client_connect (&t);

  /* before HELLO */
  {
    g_autoptr (Frame) f = NULL;
    msg.ping.client_time_us = 1;
    f = request (c, RIDGE_MSG_PING, &msg);
    assert_error (f, RIDGE_ERR_NOT_HELLO);
  }
  client_free (c);

  c = client_hello (&t);
  /* an unknown type */
  {
    g_autoptr (Frame) f = NULL;
    hdr.version = RIDGE_WIRE_VERSION;
    hdr.type = 0x7777;
    hdr.seq = 500;
    n = ridge_wire_frame_write (raw, sizeof raw, &hdr, NULL);
    client_send_raw (c, raw, n);
    f = client_wait (c, 500, 3000);
    assert_error (f, RIDGE_ERR_UNSUPPORTED);
    g_assert_cmpuint (f->hdr.type, ==, 0x7777);
  }
  /* a malformed payload: PARAM_SET needs 5 bytes */
  {
    g_autoptr (Frame) f = NULL;
    hdr.type = RIDGE_MSG_PARAM_SET;
    hdr.seq = 501;
    hdr.length = 2;
    n = ridge_wire_frame_write (raw, sizeof raw, &hdr, (const guint8 *)"\1\1");
    client_send_raw (c, raw, n);
    f = client_wait (c, 501, 3000);
    assert_error (f, RIDGE_ERR_MALFORMED);
  }
  /* the session survives all that */
  {
    g_autoptr (Frame) f = NULL;
    memset (&msg, 0, sizeof msg);
    f = request_ok (c, RIDGE_MSG_PING, &msg);
  }
  /* out-of-range parameter, unknown template */
  {
    g_autoptr (Frame) f = NULL;
    g_autoptr (Frame) g = NULL;
    memset (&msg, 0, sizeof msg);
    msg.param_set.id = 1;
    msg.param_set.value = 100000;
    f = request (c, RIDGE_MSG_PARAM_SET, &msg);
    assert_error (f, RIDGE_ERR_INVALID_ARG);
    memset (&msg, 0, sizeof msg);
    msg.tpl_id.id = 42;
    g = request (c, RIDGE_MSG_TPL_GET, &msg);
    assert_error (g, RIDGE_ERR_NOT_FOUND);
  }
  client_free (c);
  term_clear (&t);
}

/* Garbage, a frame announcing 2 MiB and truncated frames never stop the terminal: the
 * next good frame is answered. */
static void
test_garbage (void)
{
  Term t;
  Client *c;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autofree guint8 *junk = g_malloc (200000);
  RidgeWireHeader hdr = { 0 };
  guint8 raw[64];
  RidgeWireMsg msg = { 0 };

  term_init (&t);
  term_start (&t, NULL);
  c = client_hello (&t);
  for (guint i = 0; i < 200000; i++)
    junk[i] = g_rand_int (rand);
  client_send_raw (c, junk, 200000);
  /* a header that announces more than any limit */
  hdr.version = RIDGE_WIRE_VERSION;
  hdr.type = RIDGE_MSG_PING;
  hdr.seq = 9;
  hdr.length = 2u * 1024 * 1024;
  g_assert_cmpint (ridge_wire_frame_write (raw, sizeof raw, &hdr, NULL), <, 0);
  {
    /* written by hand: magic, version, flags, type, seq, length, header CRC-16 */
    guint8 h[16] = { 'R', 'G', 1, 0, 0x03, 0x00, 9, 0, 0, 0, 0, 0, 0x20, 0 };
    guint16 crc = ridge_wire_crc16 (h, 14);
    h[14] = crc & 0xff;
    h[15] = crc >> 8;
    client_send_raw (c, h, sizeof h);
    client_send_raw (c, junk, 5000);
  }
  msg.ping.client_time_us = 4242;
  {
    g_autoptr (Frame) p = request_ok (c, RIDGE_MSG_PING, &msg);
    g_autoptr (Frame) k = NULL;
    RidgeWireCounter counter;
    guint32 cursor = 0;
    guint64 corrupt = 0;
    g_assert_cmpuint (p->msg.pong.client_time_us, ==, 4242);
    k = request_ok (c, RIDGE_MSG_COUNTERS, NULL);
    while (cursor < k->msg.counters.raw_len
           && ridge_wire_counters_next (&k->msg.counters, &cursor, &counter) == RIDGE_WIRE_OK)
      if (str_eq (counter.name, "rx_corrupt"))
        corrupt = counter.value;
    g_assert_cmpuint (corrupt, >, 0);
  }
  client_free (c);
  term_clear (&t);
}

static void
test_busy (void)
{
  Term t;
  Client *a, *b;
  g_autoptr (Frame) f = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autofree char *holder = NULL;
  g_autofree char *text = NULL;
  g_autofree char *status = NULL;

  term_init (&t);
  term_start (&t, NULL);
  a = client_hello (&t);
  local = g_socket_get_local_address (a->socket, NULL);
  holder = g_strdup_printf ("127.0.0.1:%u",
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));

  b = client_connect (&t);
  f = client_recv (b, 3000);
  assert_error (f, RIDGE_ERR_BUSY);
  text = g_strndup (f->msg.error.text.ptr, f->msg.error.text.len);
  g_assert_true (g_str_has_prefix (text, "terminal is in use by "));
  g_assert_cmpstr (text + strlen ("terminal is in use by "), ==, holder);
  g_assert_null (client_recv (b, 3000));
  g_assert_true (b->eof);
  client_free (b);

  status = control (&t, "status");
  g_assert_nonnull (strstr (status, holder));
  g_assert_nonnull (strstr (status, "busy_rejects=1"));

  /* once the holder leaves, the next client gets in */
  client_free (a);
  g_usleep (200 * 1000);
  a = client_hello (&t);
  client_free (a);
  term_clear (&t);
}

static void
test_control (void)
{
  Term t;
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL, *f = NULL, *g = NULL;
  struct stat st;

  term_init (&t);
  term_start (&t, NULL);
  g_assert_cmpint (g_stat (ridge_test_terminal_get_control_path (t.rt), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  a = control (&t, "place 1");
  g_assert_cmpstr (a, ==, "ok placed finger=1 impression=1");
  b = control (&t, "place 1");
  g_assert_cmpstr (b, ==, "ok placed finger=1 impression=2");
  c = control (&t, "place 2 3");
  g_assert_cmpstr (c, ==, "ok placed finger=2 impression=3");
  d = control (&t, "status");
  g_assert_true (g_str_has_prefix (d, "ok finger=2 impression=3 client=none"));
  e = control (&t, "lift");
  g_assert_cmpstr (e, ==, "ok lifted");
  g_clear_pointer (&d, g_free);
  d = control (&t, "status");
  g_assert_true (g_str_has_prefix (d, "ok finger=none"));
  f = control (&t, "place 9");
  g_assert_true (g_str_has_prefix (f, "error "));
  g = control (&t, "frobnicate");
  g_assert_true (g_str_has_prefix (g, "error unknown command"));
  g_clear_pointer (&g, g_free);
  g = control (&t, "fault corrupt 2");
  g_assert_true (g_str_has_prefix (g, "error "));
  g_clear_pointer (&g, g_free);
  g = control (&t, "fault latency 5");
  g_assert_cmpstr (g, ==, "ok rate-limit=0 latency=5 stall=off drop-after=-1 corrupt=0");
  g_clear_pointer (&g, g_free);
  g = control (&t, "fault clear");
  g_assert_cmpstr (g, ==, "ok rate-limit=0 latency=0 stall=off drop-after=-1 corrupt=0");
  term_clear (&t);
}

static void
test_capture (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  g_autofree guint8 *want = test_image (2, 1);
  g_autofree guint8 *want3 = test_image (2, 3);

  term_init (&t);
  term_start (&t, NULL);
  c = client_hello (&t);

  /* no finger: background, finger_present = 0 */
  {
    g_autoptr (Frame) f = NULL;
    f = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
    g_assert_cmpuint (f->msg.frame.finger_present, ==, 0);
    g_assert_cmpuint (f->msg.frame.image.len, ==, IMG_W * IMG_H);
  }
  /* a known image, byte for byte */
  control_ok (&t, "place 2");
  {
    g_autoptr (Frame) f = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
    g_assert_cmpuint (f->msg.frame.finger_present, ==, 1);
    g_assert_cmpuint (f->msg.frame.width, ==, IMG_W);
    g_assert_cmpuint (f->msg.frame.height, ==, IMG_H);
    g_assert_cmpuint (f->msg.frame.encoding, ==, RIDGE_ENC_RAW);
    g_assert_cmpmem (f->msg.frame.image.ptr, f->msg.frame.image.len, want, IMG_W * IMG_H);
  }
  /* the same through the RICE codec */
  msg.capture.flags = RIDGE_CAPTURE_COMPRESS;
  {
    g_autoptr (Frame) f = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
    g_autofree guint8 *px = g_malloc (IMG_W * IMG_H);
    if (f->msg.frame.encoding == RIDGE_ENC_RICE)
      {
        g_assert_cmpint (ridge_wire_rice_decode (f->msg.frame.image.ptr, f->msg.frame.image.len,
                                                 IMG_W, IMG_H, px), >=, 0);
        g_assert_cmpmem (px, IMG_W * IMG_H, want, IMG_W * IMG_H);
      }
    else
      g_assert_cmpmem (f->msg.frame.image.ptr, f->msg.frame.image.len, want, IMG_W * IMG_H);
  }
  /* gain changes the produced image; back to neutral gives the file again */
  {
    g_autoptr (Frame) p = NULL;
    g_autoptr (Frame) f = NULL;
    g_autoptr (Frame) q = NULL;
    g_autoptr (Frame) g = NULL;
    RidgeWireMsg set = { 0 };
    RidgeWireMsg cap = { 0 };
    set.param_set.id = 1;
    set.param_set.value = 200;
    p = request_ok (c, RIDGE_MSG_PARAM_SET, &set);
    f = request_ok (c, RIDGE_MSG_CAPTURE, &cap);
    g_assert_cmpint (memcmp (f->msg.frame.image.ptr, want, IMG_W * IMG_H), !=, 0);
    set.param_set.value = 100;
    q = request_ok (c, RIDGE_MSG_PARAM_SET, &set);
    g = request_ok (c, RIDGE_MSG_CAPTURE, &cap);
    g_assert_cmpmem (g->msg.frame.image.ptr, g->msg.frame.image.len, want, IMG_W * IMG_H);
  }
  control_ok (&t, "lift");

  /* waiting for a finger: a timeout … */
  memset (&msg, 0, sizeof msg);
  msg.capture.flags = RIDGE_CAPTURE_WAIT_FINGER;
  msg.capture.timeout_ms = 300;
  {
    g_autoptr (Frame) f = request (c, RIDGE_MSG_CAPTURE, &msg);
    assert_error (f, RIDGE_ERR_TIMEOUT);
  }
  /* … and a finger placed while the request waits */
  msg.capture.timeout_ms = 5000;
  {
    guint32 seq = client_send (c, RIDGE_MSG_CAPTURE, 0, &msg);
    g_autoptr (Frame) f = NULL;
    g_usleep (200 * 1000);
    control_ok (&t, "place 2 3");
    f = client_wait (c, seq, 5000);
    g_assert_nonnull (f);
    g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
    g_assert_cmpmem (f->msg.frame.image.ptr, f->msg.frame.image.len, want3, IMG_W * IMG_H);
  }
  client_free (c);
  term_clear (&t);
}

static void
test_stream (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  guint frames = 0, finger_events = 0;
  guint32 last_frame_no = 0;
  g_autofree guint8 *want = test_image (1, 1);
  g_autofree guint8 *px = g_malloc (IMG_W * IMG_H);
  Frame *f;

  term_init (&t);
  term_start (&t, NULL);
  c = client_hello (&t);
  control_ok (&t, "place 1");

  msg.stream_start.credits = 3;
  msg.stream_start.max_fps = 0;
  msg.stream_start.flags = RIDGE_CAPTURE_COMPRESS;
  {
    g_autoptr (Frame) r = request_ok (c, RIDGE_MSG_STREAM_START, &msg);
  }
  /* at 50 fps, one second gives 50 frame slots; only 3 credits */
  {
    gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC;
    while (g_get_monotonic_time () < end
           && (f = client_recv (c, MAX (1, (end - g_get_monotonic_time ()) / 1000))) != NULL)
      {
        if (f->hdr.type == RIDGE_MSG_FRAME)
          {
            g_assert_true (f->hdr.flags & RIDGE_WIRE_FLAG_EVENT);
            g_assert_cmpuint (f->msg.frame.frame_no, >, last_frame_no);
            last_frame_no = f->msg.frame.frame_no;
            g_assert_cmpuint (f->msg.frame.finger_present, ==, 1);
            /* RICE, lossless: the file's bytes */
            g_assert_cmpuint (f->msg.frame.encoding, ==, RIDGE_ENC_RICE);
            g_assert_cmpint (ridge_wire_rice_decode (f->msg.frame.image.ptr, f->msg.frame.image.len,
                                                     IMG_W, IMG_H, px), >=, 0);
            g_assert_cmpmem (px, IMG_W * IMG_H, want, IMG_W * IMG_H);
            frames++;
          }
        else if (f->hdr.type == RIDGE_MSG_FINGER)
          finger_events++;
        frame_free (f);
      }
  }
  g_assert_cmpuint (frames, ==, 3);

  /* lifting the finger is an event, credit or not */
  control_ok (&t, "lift");
  {
    g_autoptr (Frame) ev = client_recv (c, 2000);
    g_assert_nonnull (ev);
    g_assert_cmpuint (ev->hdr.type, ==, RIDGE_MSG_FINGER);
    g_assert_cmpuint (ev->msg.finger.present, ==, 0);
    finger_events++;
  }
  g_assert_cmpuint (finger_events, >=, 1);

  /* two more credits: exactly two more frames, which report the drops */
  memset (&msg, 0, sizeof msg);
  msg.stream_credit.credits = 2;
  client_send (c, RIDGE_MSG_STREAM_CREDIT, RIDGE_WIRE_FLAG_EVENT, &msg);
  frames = 0;
  {
    gint64 end = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
    while (g_get_monotonic_time () < end
           && (f = client_recv (c, MAX (1, (end - g_get_monotonic_time ()) / 1000))) != NULL)
      {
        if (f->hdr.type == RIDGE_MSG_FRAME)
          {
            g_assert_cmpuint (f->msg.frame.dropped_total, >, 3);
            frames++;
          }
        frame_free (f);
      }
  }
  g_assert_cmpuint (frames, ==, 2);

  {
    g_autoptr (Frame) r = request_ok (c, RIDGE_MSG_STREAM_STOP, NULL);
    g_autoptr (Frame) k = NULL;
    guint32 cursor = 0;
    RidgeWireCounter counter;
    guint64 drops = 0;
    g_assert_cmpuint (r->msg.stream_stats.frames_sent, ==, 5);
    g_assert_cmpuint (r->msg.stream_stats.frames_dropped, >, 3);
    k = request_ok (c, RIDGE_MSG_COUNTERS, NULL);
    while (cursor < k->msg.counters.raw_len
           && ridge_wire_counters_next (&k->msg.counters, &cursor, &counter) == RIDGE_WIRE_OK)
      if (str_eq (counter.name, "drops"))
        drops = counter.value;
    g_assert_cmpuint (drops, ==, r->msg.stream_stats.frames_dropped);
  }
  client_free (c);
  term_clear (&t);
}

static guint32
put_template (Client     *c,
              guint32     id,
              const char *user,
              guint8      byte,
              guint16     expect_error)
{
  RidgeWireMsg msg = { 0 };
  guint8 data[100];
  g_autoptr (Frame) f = NULL;

  memset (data, byte, sizeof data);
  msg.template_.info.id = id;
  msg.template_.info.user_id = (RidgeWireStr) { user, strlen (user) };
  msg.template_.info.name = (RidgeWireStr) { "Name", 4 };
  msg.template_.info.finger = 2;
  msg.template_.info.format = RIDGE_TPL_ISO19794;
  msg.template_.info.size = sizeof data;
  msg.template_.data = (RidgeWireBlob) { data, sizeof data };
  f = request (c, RIDGE_MSG_TPL_PUT, &msg);
  if (expect_error)
    assert_error (f, expect_error);
  else
    {
      g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
      g_assert_true (str_eq (f->msg.template_info.user_id, user));
      g_assert_cmpuint (f->msg.template_info.size, ==, sizeof data);
      return f->msg.template_info.id;
    }
  return 0;
}

static guint
list_ids (Client  *c,
          guint32 *ids,
          guint    max)
{
  RidgeWireMsg msg = { 0 };
  g_autoptr (Frame) f = NULL;
  RidgeWireTemplateInfo info;
  guint32 cursor = 0;
  guint n = 0;

  msg.tpl_list.max = 64;
  f = request_ok (c, RIDGE_MSG_TPL_LIST, &msg);
  for (guint i = 0; i < f->msg.tpl_list_result.n; i++)
    {
      g_assert_cmpint (ridge_wire_tpl_list_next (&f->msg.tpl_list_result, &cursor, &info), ==,
                       RIDGE_WIRE_OK);
      if (n < max)
        ids[n++] = info.id;
    }
  g_assert_cmpuint (f->msg.tpl_list_result.total, ==, f->msg.tpl_list_result.n);
  return n;
}

static void
test_store (void)
{
  Term t;
  Client *c;
  guint32 ids[8];
  g_autofree char *tdir = NULL;
  struct stat st;

  term_init (&t);
  term_start (&t, "--capacity=2", NULL);
  c = client_hello (&t);
  put_template (c, 0, "alice", 0xaa, 0);
  put_template (c, 0, "bob", 0xbb, 0);
  put_template (c, 0, "carol", 0xcc, RIDGE_ERR_STORE_FULL);
  g_assert_cmpuint (list_ids (c, ids, 8), ==, 2);
  g_assert_cmpuint (ids[0], ==, 1);
  g_assert_cmpuint (ids[1], ==, 2);
  /* replacing an existing record is not an addition */
  put_template (c, 2, "bob", 0xbd, 0);
  /* paging */
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) f = NULL;
    RidgeWireTemplateInfo info;
    guint32 cursor = 0;
    msg.tpl_list.offset = 1;
    msg.tpl_list.max = 1;
    f = request_ok (c, RIDGE_MSG_TPL_LIST, &msg);
    g_assert_cmpuint (f->msg.tpl_list_result.total, ==, 2);
    g_assert_cmpuint (f->msg.tpl_list_result.n, ==, 1);
    g_assert_cmpint (ridge_wire_tpl_list_next (&f->msg.tpl_list_result, &cursor, &info), ==, 0);
    g_assert_cmpuint (info.id, ==, 2);
  }
  /* metadata update */
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) f = NULL;
    msg.template_info.id = 1;
    msg.template_info.user_id = (RidgeWireStr) { "alice2", 6 };
    msg.template_info.name = (RidgeWireStr) { "Alice B.", 8 };
    msg.template_info.finger = 7;
    f = request_ok (c, RIDGE_MSG_TPL_UPDATE, &msg);
    g_assert_true (str_eq (f->msg.template_info.user_id, "alice2"));
    g_assert_cmpuint (f->msg.template_info.finger, ==, 7);
    g_assert_cmpuint (f->msg.template_info.size, ==, 100);
  }
  client_free (c);
  term_stop (&t);

  /* files: one per record, 0600, no temporary left */
  tdir = g_build_filename (ridge_test_terminal_get_state_dir (t.rt), "templates", NULL);
  {
    g_autoptr (GDir) d = g_dir_open (tdir, 0, NULL);
    const char *name;
    guint n = 0;
    g_assert_nonnull (d);
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *p = g_build_filename (tdir, name, NULL);
        if (g_str_equal (name, "next-id"))
          n--;
        else
          g_assert_true (g_str_has_suffix (name, ".tpl"));
        g_assert_cmpint (g_stat (p, &st), ==, 0);
        g_assert_cmpint (st.st_mode & 0777, ==, 0600);
        n++;
      }
    g_assert_cmpuint (n, ==, 2);
  }
  /* a crash in the middle of a write leaves a temp file; a damaged record is skipped */
  {
    g_autofree char *tmp = g_build_filename (tdir, "00000003.tpl.tmp-AbCdEf", NULL);
    g_autofree char *bad = g_build_filename (tdir, "00000009.tpl", NULL);
    g_autofree char *good = g_build_filename (tdir, "00000002.tpl", NULL);
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
    g_assert_true (g_file_set_contents (tmp, contents, len / 2, NULL));
    g_assert_true (g_file_set_contents (bad, contents, len - 3, NULL));
  }

  term_start (&t, "--capacity=2", NULL);
  c = client_hello (&t);
  g_assert_cmpuint (list_ids (c, ids, 8), ==, 2);
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) f = NULL;
    g_autoptr (Frame) i = NULL;
    guint8 want[100];
    memset (want, 0xbd, sizeof want);
    msg.tpl_id.id = 2;
    f = request_ok (c, RIDGE_MSG_TPL_GET, &msg);
    g_assert_cmpmem (f->msg.template_.data.ptr, f->msg.template_.data.len, want, sizeof want);
    g_assert_true (str_eq (f->msg.template_.info.user_id, "bob"));
    i = request_ok (c, RIDGE_MSG_INFO, NULL);
    g_assert_cmpuint (i->msg.info.boot_counter, ==, 2);
    g_assert_cmpuint (i->msg.info.template_count, ==, 2);
  }
  {
    g_autofree char *tmp = g_build_filename (tdir, "00000003.tpl.tmp-AbCdEf", NULL);
    g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
  }
  /* delete, capacity, clear */
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) d = NULL;
    g_autoptr (Frame) d2 = NULL;
    g_autoptr (Frame) cap = NULL;
    g_autoptr (Frame) clr = NULL;
    g_autofree char *p1 = g_build_filename (tdir, "00000001.tpl", NULL);
    msg.tpl_id.id = 1;
    d = request_ok (c, RIDGE_MSG_TPL_DELETE, &msg);
    g_assert_false (g_file_test (p1, G_FILE_TEST_EXISTS));
    d2 = request (c, RIDGE_MSG_TPL_DELETE, &msg);
    assert_error (d2, RIDGE_ERR_NOT_FOUND);
    cap = request_ok (c, RIDGE_MSG_TPL_CAPACITY, NULL);
    g_assert_cmpuint (cap->msg.tpl_capacity.capacity, ==, 2);
    g_assert_cmpuint (cap->msg.tpl_capacity.used, ==, 1);
    clr = request_ok (c, RIDGE_MSG_TPL_CLEAR, NULL);
    g_assert_cmpuint (clr->msg.tpl_capacity.used, ==, 0);
    /* ids are never reused, not even after a restart */
    g_assert_cmpuint (put_template (c, 0, "dave", 0xdd, 0), ==, 3);
  }
  client_free (c);
  term_clear (&t);
}

static void
test_reboot_and_time (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  g_autofree char *serial = NULL;

  term_init (&t);
  term_start (&t, NULL);
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    serial = g_strndup (i->msg.info.serial.ptr, i->msg.info.serial.len);
    g_assert_true (g_str_has_prefix (serial, "RT-"));
  }
  /* the clock offset */
  {
    g_autoptr (Frame) s = NULL;
    g_autoptr (Frame) g = NULL;
    msg.time.unix_us = G_GINT64_CONSTANT (1000000000) * G_USEC_PER_SEC;
    s = request_ok (c, RIDGE_MSG_TIME_SET, &msg);
    g = request_ok (c, RIDGE_MSG_TIME_GET, NULL);
    g_assert_cmpint (g->msg.time.unix_us - msg.time.unix_us, >=, 0);
    g_assert_cmpint (g->msg.time.unix_us - msg.time.unix_us, <, 5 * G_USEC_PER_SEC);
  }
  /* log */
  {
    RidgeWireMsg lf = { 0 };
    g_autoptr (Frame) l = NULL;
    lf.log_fetch.max = 60000;
    l = request_ok (c, RIDGE_MSG_LOG_FETCH, &lf);
    g_assert_true (str_contains (l->msg.log.text, "HELLO from \"test-terminal\""));
    g_assert_cmpuint (l->msg.log.total, >=, l->msg.log.text.len);
  }
  /* selftest: the sensor and store checks pass on this terminal */
  {
    g_autoptr (Frame) s = request_ok (c, RIDGE_MSG_SELFTEST, NULL);
    RidgeWireCheck check;
    guint32 cursor = 0;
    guint passed = 0;
    g_assert_cmpuint (s->msg.selftest.n, ==, 3);
    for (guint i = 0; i < s->msg.selftest.n; i++)
      {
        g_assert_cmpint (ridge_wire_selftest_next (&s->msg.selftest, &cursor, &check), ==, 0);
        if ((str_eq (check.name, "sensor") || str_eq (check.name, "store")) && check.passed)
          passed++;
      }
    g_assert_cmpuint (passed, ==, 2);
  }
  {
    g_autoptr (Frame) r = request_ok (c, RIDGE_MSG_REBOOT, NULL);
  }
  g_assert_null (client_recv (c, 3000));
  g_assert_true (c->eof);
  client_free (c);

  c = client_hello (&t);
  {
    g_autoptr (Frame) p = request_ok (c, RIDGE_MSG_PING, &msg);
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    g_autoptr (Frame) g = request_ok (c, RIDGE_MSG_TIME_GET, NULL);
    g_assert_cmpuint (p->msg.pong.boot_counter, ==, 2);
    g_assert_cmpuint (p->msg.pong.uptime_ms, <, 2000);
    g_assert_true (str_eq (i->msg.info.serial, serial));
    /* the clock offset survives */
    g_assert_cmpint (g->msg.time.unix_us, <, G_GINT64_CONSTANT (1000000100) * G_USEC_PER_SEC);
  }
  client_free (c);
  term_stop (&t);

  /* a real restart: boot 3, same generated serial */
  term_start (&t, NULL);
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    g_assert_cmpuint (i->msg.info.boot_counter, ==, 3);
    g_assert_true (str_eq (i->msg.info.serial, serial));
  }
  client_free (c);
  term_clear (&t);
}

static int
free_udp_port (void)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                        G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) a = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, a, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static Frame *
discover (int port)
{
  g_autoptr (GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                        G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) to = g_inet_socket_address_new (lo, port);
  guint8 out[64], in[2048], payload[2048];
  RidgeWireDecoder dec;
  size_t used = 0;
  int32_t n = ridge_wire_encode (out, sizeof out, RIDGE_MSG_DISCOVER, 0, 99, NULL);
  gssize got;
  Frame *f;

  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (g_socket_send_to (s, to, (const char *)out, n, NULL, NULL), ==, n);
  g_socket_set_timeout (s, 3);
  got = g_socket_receive (s, (char *)in, sizeof in, NULL, NULL);
  g_assert_cmpint (got, >, 0);
  ridge_wire_decoder_init (&dec, payload, sizeof payload);
  g_assert_cmpint (ridge_wire_decoder_feed (&dec, in, got, &used), ==, RIDGE_WIRE_DEC_FRAME);
  f = g_new0 (Frame, 1);
  f->hdr = dec.header;
  f->payload = g_memdup2 (payload, MAX (1, dec.header.length));
  g_assert_cmpint (ridge_wire_decode (&f->hdr, f->payload, &f->msg), ==, RIDGE_WIRE_OK);
  g_assert_cmpuint (f->hdr.seq, ==, 99);
  g_assert_true (f->hdr.flags & RIDGE_WIRE_FLAG_RESPONSE);
  return f;
}

static void
test_discovery (void)
{
  Term t;
  Client *c;

  term_init (&t);
  t.discovery_port = free_udp_port ();
  term_start (&t, "--serial=DISC-1", NULL);
  {
    g_autoptr (Frame) f = discover (t.discovery_port);
    g_assert_cmpuint (f->msg.announce.tcp_port, ==, t.port);
    g_assert_cmpuint (f->msg.announce.busy, ==, 0);
    g_assert_true (str_eq (f->msg.announce.info.serial, "DISC-1"));
  }
  c = client_hello (&t);
  {
    g_autoptr (Frame) f = discover (t.discovery_port);
    g_assert_cmpuint (f->msg.announce.busy, ==, 1);
    g_assert_true (str_contains (f->msg.announce.holder, "127.0.0.1:"));
  }
  client_free (c);
  term_clear (&t);
}

static void
test_faults (void)
{
  Term t;
  Client *c;
  RidgeWireMsg msg = { 0 };
  gint64 t0, dt;

  term_init (&t);
  term_start (&t, NULL);
  c = client_hello (&t);

  /* latency */
  control_ok (&t, "fault latency 300");
  t0 = g_get_monotonic_time ();
  {
    g_autoptr (Frame) p = request_ok (c, RIDGE_MSG_PING, &msg);
  }
  dt = g_get_monotonic_time () - t0;
  g_assert_cmpint (dt, >=, 290 * 1000);
  control_ok (&t, "fault clear");

  /* rate limit: a raw 3 KiB capture at 1000 B/s takes about two seconds */
  control_ok (&t, "place 1");
  control_ok (&t, "fault rate-limit 1000");
  t0 = g_get_monotonic_time ();
  {
    g_autoptr (Frame) f = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
  }
  dt = g_get_monotonic_time () - t0;
  g_assert_cmpint (dt, >=, 1500 * 1000);
  control_ok (&t, "fault clear");
  t0 = g_get_monotonic_time ();
  {
    g_autoptr (Frame) f = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
  }
  g_assert_cmpint (g_get_monotonic_time () - t0, <, 1000 * 1000);

  /* stall: nothing comes back until it is lifted, then the answer arrives */
  control_ok (&t, "fault stall on");
  {
    guint32 seq = client_send (c, RIDGE_MSG_PING, 0, &msg);
    g_autoptr (Frame) f = client_wait (c, seq, 600);
    g_autoptr (Frame) g = NULL;
    g_assert_null (f);
    g_assert_false (c->eof);
    control_ok (&t, "fault stall off");
    g = client_wait (c, seq, 3000);
    g_assert_nonnull (g);
  }

  /* corruption: every byte damaged, no valid frame gets through */
  control_ok (&t, "fault corrupt 1");
  {
    guint32 seq = client_send (c, RIDGE_MSG_PING, 0, &msg);
    g_autoptr (Frame) f = client_wait (c, seq, 600);
    g_assert_null (f);
    g_assert_cmpuint (c->dec.crc_errors + c->dec.resyncs, >, 0);
  }
  control_ok (&t, "fault clear");
  {
    g_autoptr (Frame) f = request_ok (c, RIDGE_MSG_PING, &msg);
  }

  /* drop after 10 bytes: the connection closes in the middle of a frame */
  control_ok (&t, "fault drop-after 10");
  client_send (c, RIDGE_MSG_PING, 0, &msg);
  g_assert_null (client_recv (c, 3000));
  g_assert_true (c->eof);
  client_free (c);

  /* and the knob is spent: a new client works */
  c = client_hello (&t);
  client_free (c);
  term_clear (&t);
}

static void
test_fault_flags (void)
{
  Term t;
  Client *c;

  /* the same knobs from the command line: --drop-after cuts the HELLO answer */
  term_init (&t);
  term_start (&t, "--drop-after=20", NULL);
  c = client_connect (&t);
  {
    RidgeWireMsg msg = { 0 };
    msg.hello.version_min = 1;
    msg.hello.version_max = 1;
    msg.hello.max_payload = 65536;
    client_send (c, RIDGE_MSG_HELLO, 0, &msg);
  }
  g_assert_null (client_recv (c, 3000));
  g_assert_true (c->eof);
  client_free (c);
  term_clear (&t);
}

static void
test_idle_timeout (void)
{
  Term t;
  Client *c;

  term_init (&t);
  term_start (&t, "--client-timeout=500", NULL);
  c = client_hello (&t);
  g_assert_null (client_recv (c, 3000));
  g_assert_true (c->eof);
  client_free (c);
  term_clear (&t);
}

/* ---- enrollment and matching on real prints (shared data) ---------------------------- */

static const char *
fvc_dir (void)
{
  static char *dir;
  const char *shared = g_getenv ("RIDGE_SHARED_DATA");

  if (dir == NULL && shared != NULL)
    dir = g_build_filename (shared, "fingerprints", "fvc2002-db1b", NULL);
  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    return NULL;
  return dir;
}

/* Places finger/impression, then waits for the sample event. */
static guint8
enroll_sample (Term   *t,
               Client *c,
               guint   finger,
               guint   impression)
{
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  g_autofree char *cmd = g_strdup_printf ("place %u %u", finger, impression);

  control_ok (t, cmd);
  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr (Frame) f = client_recv (c, 20000);
      g_assert_nonnull (f);
      if (f->hdr.type == RIDGE_MSG_ENROLL_SAMPLE)
        {
          guint8 status = f->msg.enroll_sample.status;
          g_assert_cmpuint (f->msg.enroll_sample.frame.width, >, 0);
          control_ok (t, "lift");
          return status;
        }
    }
  g_assert_not_reached ();
}

static Frame *
match_request (Term   *t,
               Client *c,
               guint16 type,
               guint32 id,
               guint   finger,
               guint   impression)
{
  RidgeWireMsg msg = { 0 };
  guint32 seq;
  g_autofree char *cmd = g_strdup_printf ("place %u %u", finger, impression);
  Frame *f;

  if (type == RIDGE_MSG_VERIFY)
    {
      msg.verify.id = id;
      msg.verify.timeout_ms = 20000;
    }
  else
    msg.identify.timeout_ms = 20000;
  seq = client_send (c, type, 0, &msg);
  control_ok (t, cmd);
  f = client_wait (c, seq, 30000);
  control_ok (t, "lift");
  g_assert_nonnull (f);
  return f;
}

static guint32
enroll (Term       *t,
        Client     *c,
        const char *user,
        guint       finger,
        guint       first,
        guint16     expect_error)
{
  RidgeWireMsg msg = { 0 };
  g_autoptr (Frame) begun = NULL;
  g_autoptr (Frame) done = NULL;
  guint accepted = 0;

  msg.enroll_begin.user_id = (RidgeWireStr) { user, strlen (user) };
  msg.enroll_begin.finger = 2;
  msg.enroll_begin.samples = 3;
  msg.enroll_begin.timeout_ms = 20000;
  begun = request_ok (c, RIDGE_MSG_ENROLL_BEGIN, &msg);
  for (guint i = first; i <= 8 && accepted < 3; i++)
    if (enroll_sample (t, c, finger, i) == RIDGE_SAMPLE_ACCEPTED)
      accepted++;
  g_assert_cmpuint (accepted, ==, 3);

  memset (&msg, 0, sizeof msg);
  msg.enroll_commit.enroll_id = begun->msg.enroll_begun.enroll_id;
  msg.enroll_commit.name = (RidgeWireStr) { "Test", 4 };
  done = request (c, RIDGE_MSG_ENROLL_COMMIT, &msg);
  if (expect_error)
    {
      g_autoptr (Frame) cancel = NULL;
      assert_error (done, expect_error);
      cancel = request_ok (c, RIDGE_MSG_ENROLL_CANCEL, NULL);
      return 0;
    }
  g_assert_false (done->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
  g_assert_true (str_eq (done->msg.template_info.user_id, user));
  g_assert_cmpuint (done->msg.template_info.samples, ==, 3);
  g_assert_cmpuint (done->msg.template_info.format, ==, RIDGE_TPL_NATIVE);
  return done->msg.template_info.id;
}

static void
test_enroll_match (void)
{
  Term t;
  Client *c;
  g_autofree char *sensor = NULL;
  guint32 id, ids[4];

  if (fvc_dir () == NULL)
    {
      g_test_skip ("RIDGE_SHARED_DATA/fingerprints/fvc2002-db1b is absent");
      return;
    }
  term_init (&t);
  sensor = g_strdup_printf ("images:%s", fvc_dir ());
  {
    const char *extra[] = { "--fps=10", NULL };
    term_start_args (&t, sensor, extra);
  }
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    if (!(i->msg.info.capabilities & RIDGE_CAP_ENROLL))
      {
        client_free (c);
        term_clear (&t);
        g_test_skip ("this build's engine cannot enroll yet");
        return;
      }
  }

  id = enroll (&t, c, "alice", 101, 1, 0);
  g_assert_cmpuint (list_ids (c, ids, 4), ==, 1);
  g_assert_cmpuint (ids[0], ==, id);

  /* genuine: another impression of finger 101 */
  {
    g_autoptr (Frame) f = match_request (&t, c, RIDGE_MSG_VERIFY, id, 101, 7);
    g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 1);
    g_assert_cmpuint (f->msg.match_result.score, >=, f->msg.match_result.threshold);
    g_assert_cmpuint (f->msg.match_result.id, ==, id);
  }
  /* impostor: finger 105 */
  {
    g_autoptr (Frame) f = match_request (&t, c, RIDGE_MSG_VERIFY, id, 105, 1);
    g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 0);
    g_assert_cmpuint (f->msg.match_result.score, <, f->msg.match_result.threshold);
  }
  /* identify */
  {
    g_autoptr (Frame) f = match_request (&t, c, RIDGE_MSG_IDENTIFY, 0, 101, 8);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 1);
    g_assert_cmpuint (f->msg.match_result.id, ==, id);
    g_assert_true (str_eq (f->msg.match_result.user_id, "alice"));
  }
  /* the same finger again, for someone else: refused, naming alice */
  enroll (&t, c, "mallory", 101, 4, RIDGE_ERR_DUPLICATE);
  /* delete */
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) d = NULL;
    msg.tpl_id.id = id;
    d = request_ok (c, RIDGE_MSG_TPL_DELETE, &msg);
    g_assert_cmpuint (list_ids (c, ids, 4), ==, 0);
  }
  client_free (c);
  term_clear (&t);
}

/* Waits for the next ENROLL_SAMPLE event. */
static Frame *
next_sample (Client *c,
             guint   timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)timeout_ms * 1000;

  while (g_get_monotonic_time () < deadline)
    {
      Frame *f = client_recv (c, MAX (1, (deadline - g_get_monotonic_time ()) / 1000));
      if (f == NULL)
        return NULL;
      if (f->hdr.type == RIDGE_MSG_ENROLL_SAMPLE)
        return f;
      frame_free (f);
    }
  return NULL;
}

/* The enrollment's rules: lift between samples, commit only when complete, the
 * enrollment stays open on timeout, one waiting request at a time, verify by user. */
static void
test_enroll_states (void)
{
  Term t;
  Client *c;
  g_autofree char *sensor = NULL;
  RidgeWireMsg msg = { 0 };
  guint32 enroll_id, id_a, id_b;

  if (fvc_dir () == NULL)
    {
      g_test_skip ("RIDGE_SHARED_DATA/fingerprints/fvc2002-db1b is absent");
      return;
    }
  term_init (&t);
  sensor = g_strdup_printf ("images:%s", fvc_dir ());
  {
    const char *extra[] = { "--fps=20", NULL };
    term_start_args (&t, sensor, extra);
  }
  c = client_connect (&t);
  /* an event before HELLO is ignored, not answered */
  msg.stream_credit.credits = 5;
  client_send (c, RIDGE_MSG_STREAM_CREDIT, RIDGE_WIRE_FLAG_EVENT, &msg);
  g_assert_null (client_recv (c, 300));
  client_free (c);
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    if (!(i->msg.info.capabilities & RIDGE_CAP_ENROLL))
      {
        client_free (c);
        term_clear (&t);
        g_test_skip ("this build's engine cannot enroll yet");
        return;
      }
  }

  /* a finger already resting at BEGIN is not sampled: it must be lifted first */
  control_ok (&t, "place 104 1");
  memset (&msg, 0, sizeof msg);
  msg.enroll_begin.user_id = (RidgeWireStr) { "erin", 4 };
  msg.enroll_begin.finger = 3;
  msg.enroll_begin.samples = 2;
  msg.enroll_begin.timeout_ms = 1500;
  {
    g_autoptr (Frame) b = request_ok (c, RIDGE_MSG_ENROLL_BEGIN, &msg);
    g_autoptr (Frame) again = request (c, RIDGE_MSG_ENROLL_BEGIN, &msg);
    enroll_id = b->msg.enroll_begun.enroll_id;
    assert_error (again, RIDGE_ERR_BAD_STATE);
  }
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_LIFT_FINGER);
    g_assert_cmpuint (f->msg.enroll_sample.accepted, ==, 0);
  }
  control_ok (&t, "lift");
  /* nothing placed within the sample timeout: TIMEOUT, and the enrollment stays open */
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_TIMEOUT);
  }
  control_ok (&t, "place 104 2");
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_ACCEPTED);
    g_assert_cmpuint (f->msg.enroll_sample.accepted, ==, 1);
    g_assert_cmpuint (f->msg.enroll_sample.index, ==, 0);
    g_assert_cmpuint (f->msg.enroll_sample.frame.image.len, >, 0);
  }
  /* the finger stays: LIFT_FINGER, and committing now is too early */
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_autoptr (Frame) early = NULL;
    RidgeWireMsg commit = { 0 };
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_LIFT_FINGER);
    commit.enroll_commit.enroll_id = enroll_id;
    early = request (c, RIDGE_MSG_ENROLL_COMMIT, &commit);
    assert_error (early, RIDGE_ERR_BAD_STATE);
  }
  control_ok (&t, "lift");
  /* a different finger does not match the first sample */
  control_ok (&t, "place 106 1");
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_MISMATCH);
    g_assert_cmpuint (f->msg.enroll_sample.accepted, ==, 1);
  }
  control_ok (&t, "lift");
  control_ok (&t, "place 104 3");
  {
    g_autoptr (Frame) f = next_sample (c, 3000);
    g_assert_nonnull (f);
    g_assert_cmpuint (f->msg.enroll_sample.status, ==, RIDGE_SAMPLE_ACCEPTED);
    g_assert_cmpuint (f->msg.enroll_sample.accepted, ==, 2);
  }
  control_ok (&t, "lift");
  {
    RidgeWireMsg commit = { 0 };
    g_autoptr (Frame) done = NULL;
    commit.enroll_commit.enroll_id = enroll_id;
    commit.enroll_commit.name = (RidgeWireStr) { "Erin", 4 };
    done = request_ok (c, RIDGE_MSG_ENROLL_COMMIT, &commit);
    id_a = done->msg.template_info.id;
    g_assert_cmpuint (done->msg.template_info.finger, ==, 3);
  }
  /* a second finger of erin: not a duplicate of the first */
  id_b = enroll (&t, c, "erin", 106, 1, 0);
  g_assert_cmpuint (id_b, >, id_a);

  /* verify by user: every record of erin; finger 106 matches her second record */
  {
    RidgeWireMsg v = { 0 };
    g_autoptr (Frame) f = NULL;
    g_autoptr (Frame) busy = NULL;
    g_autoptr (Frame) idem = NULL;
    guint32 seq;
    v.verify.user_id = (RidgeWireStr) { "erin", 4 };
    v.verify.timeout_ms = 10000;
    seq = client_send (c, RIDGE_MSG_VERIFY, 0, &v);
    /* one waiting request at a time */
    busy = request (c, RIDGE_MSG_IDENTIFY, &msg);
    assert_error (busy, RIDGE_ERR_BAD_STATE);
    control_ok (&t, "place 106 6");
    f = client_wait (c, seq, 10000);
    control_ok (&t, "lift");
    g_assert_nonnull (f);
    g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 1);
    g_assert_cmpuint (f->msg.match_result.id, ==, id_b);
    /* a user without records */
    v.verify.user_id = (RidgeWireStr) { "nobody", 6 };
    idem = request (c, RIDGE_MSG_VERIFY, &v);
    assert_error (idem, RIDGE_ERR_NOT_FOUND);
  }
  {
    g_autoptr (Frame) cancel = request_ok (c, RIDGE_MSG_ENROLL_CANCEL, NULL);
  }
  client_free (c);
  term_clear (&t);
}

/* The default sensor: the engine's synthetic prints. */
static void
test_synthetic (void)
{
  Term t;
  Client *c;
  guint32 id;
  const char *extra[] = { "--width=320", "--height=320", NULL };

  term_init (&t);
  term_start_args (&t, "synthetic", extra);
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    if (i->msg.info.sensor_type != RIDGE_SENSOR_SYNTHETIC)
      g_error ("sensor type %u", i->msg.info.sensor_type);
    g_assert_cmpuint (i->msg.info.width, ==, 320);
    g_assert_cmpuint (i->msg.info.height, ==, 320);
    if (!(i->msg.info.capabilities & RIDGE_CAP_ENROLL))
      {
        client_free (c);
        term_clear (&t);
        g_test_skip ("this build's engine cannot enroll yet");
        return;
      }
  }
  /* rendering a new impression does not hold up the protocol: PING is answered while the
   * control socket waits for "place" */
  {
    g_autoptr (GSocketClient) sc = g_socket_client_new ();
    const char *path = ridge_test_terminal_get_control_path (t.rt);
    g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (path);
    g_autoptr (GSocketConnection) conn = NULL;
    g_autoptr (GDataInputStream) in = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree char *answer = NULL;
    RidgeWireMsg ping = { 0 };
    gint64 t0;

    conn = g_socket_client_connect (sc, G_SOCKET_CONNECTABLE (addr), NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)), "place 7 0\n",
                               10, NULL, NULL, &error);
    g_assert_no_error (error);
    g_usleep (50 * 1000);
    t0 = g_get_monotonic_time ();
    {
      g_autoptr (Frame) p = request_ok (c, RIDGE_MSG_PING, &ping);
    }
    g_test_message ("PING during a rendering: %.1f ms", (g_get_monotonic_time () - t0) / 1000.0);
    g_assert_cmpint (g_get_monotonic_time () - t0, <, 150 * 1000);
    in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (conn)));
    answer = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);
    g_assert_cmpstr (answer, ==, "ok placed finger=7 impression=0");
  }

  /* two live reads of one placement: the same print, a little noise apart */
  {
    RidgeWireMsg msg = { 0 };
    g_autoptr (Frame) a = NULL;
    g_autoptr (Frame) b = NULL;
    guint diff = 0, big = 0;
    msg.capture.flags = RIDGE_CAPTURE_MINUTIAE;
    a = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
    b = request_ok (c, RIDGE_MSG_CAPTURE, &msg);
    g_assert_cmpuint (a->msg.frame.finger_present, ==, 1);
    g_assert_cmpuint (a->msg.frame.image.len, ==, 320 * 320);
    g_assert_cmpuint (a->msg.frame.quality, <=, 100);
    g_assert_cmpuint (a->msg.frame.n_minutiae, >, 10);
    for (guint i = 0; i < a->msg.frame.image.len; i++)
      {
        int d = abs ((int)a->msg.frame.image.ptr[i] - (int)b->msg.frame.image.ptr[i]);
        diff += d > 0;
        big += d > 4;
      }
    g_assert_cmpuint (diff, >, 0);
    g_assert_cmpuint (big, ==, 0);
  }
  control_ok (&t, "lift");

  id = enroll (&t, c, "sam", 7, 0, 0);
  {
    g_autoptr (Frame) f = match_request (&t, c, RIDGE_MSG_VERIFY, id, 7, 5);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 1);
  }
  {
    g_autoptr (Frame) f = match_request (&t, c, RIDGE_MSG_VERIFY, id, 8, 0);
    g_assert_cmpuint (f->msg.match_result.matched, ==, 0);
  }
  client_free (c);
  term_clear (&t);
}

static guint8 *
load_pgm (const char *path,
          int        *w,
          int        *h)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  char *p, *end;
  int maxval;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (len > 2 && data[0] == 'P' && data[1] == '5');
  p = data + 2;
  *w = strtol (p, &end, 10);
  p = end;
  *h = strtol (p, &end, 10);
  p = end;
  maxval = strtol (p, &end, 10);
  g_assert_cmpint (maxval, ==, 255);
  p = end + 1;
  g_assert_cmpuint (len - (p - data), >=, (gsize) * w * *h);
  return g_memdup2 (p, (gsize) * w * *h);
}

/* The libfprint sensor, on libfprint's virtual image device: the test plays the finger. */
static void
test_libfprint (void)
{
  Term t;
  Client *c;
  g_autofree char *sock = NULL;
  g_autofree char *pgm = NULL;
  g_autofree guint8 *px = NULL;
  int w = 0, h = 0;
  guint32 seq;

  if (fvc_dir () == NULL)
    {
      g_test_skip ("RIDGE_SHARED_DATA/fingerprints/fvc2002-db1b is absent");
      return;
    }
  pgm = g_build_filename (fvc_dir (), "103_2.pgm", NULL);
  px = load_pgm (pgm, &w, &h);

  term_init (&t);
  sock = g_build_filename (ridge_test_terminal_get_dir (t.rt), "fp.sock", NULL);
  t.fp_socket = sock;
  t.may_fail = TRUE;
  term_start_args (&t, "libfprint", NULL);
  if (t.port == 0)
    {
      term_clear (&t);
      g_test_skip ("this ridge-terminal has no libfprint sensor (or no virtual device)");
      return;
    }
  c = client_hello (&t);
  {
    g_autoptr (Frame) i = request_ok (c, RIDGE_MSG_INFO, NULL);
    g_autofree char *answer = control (&t, "place 1");
    g_assert_cmpuint (i->msg.info.sensor_type, ==, RIDGE_SENSOR_LIBFPRINT);
    g_assert_true (g_str_has_prefix (answer, "error "));
  }
  {
    RidgeWireMsg msg = { 0 };
    msg.capture.flags = RIDGE_CAPTURE_WAIT_FINGER | RIDGE_CAPTURE_COMPRESS;
    msg.capture.timeout_ms = 15000;
    seq = client_send (c, RIDGE_MSG_CAPTURE, 0, &msg);
  }
  /* the finger: width, height (native int32) and the pixels, on the device's socket */
  {
    g_autoptr (GSocketClient) sc = g_socket_client_new ();
    g_autoptr (GSocketAddress) addr = g_unix_socket_address_new (sock);
    g_autoptr (GSocketConnection) conn = NULL;
    g_autoptr (GError) error = NULL;
    gint32 dims[2] = { w, h };
    GOutputStream *out;

    for (int tries = 0; tries < 100 && conn == NULL; tries++)
      {
        g_clear_error (&error);
        conn = g_socket_client_connect (sc, G_SOCKET_CONNECTABLE (addr), NULL, &error);
        if (conn == NULL)
          g_usleep (50 * 1000);
      }
    g_assert_no_error (error);
    out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
    g_output_stream_write_all (out, dims, sizeof dims, NULL, NULL, &error);
    g_assert_no_error (error);
    g_output_stream_write_all (out, px, (gsize)w * h, NULL, NULL, &error);
    g_assert_no_error (error);
    {
      g_autoptr (Frame) f = client_wait (c, seq, 20000);
      g_autofree guint8 *got = g_malloc ((gsize)w * h);
      g_assert_nonnull (f);
      g_assert_false (f->hdr.flags & RIDGE_WIRE_FLAG_ERROR);
      g_assert_cmpuint (f->msg.frame.finger_present, ==, 1);
      g_assert_cmpuint (f->msg.frame.width, ==, w);
      g_assert_cmpuint (f->msg.frame.height, ==, h);
      if (f->msg.frame.encoding == RIDGE_ENC_RICE)
        g_assert_cmpint (ridge_wire_rice_decode (f->msg.frame.image.ptr, f->msg.frame.image.len,
                                                 w, h, got), >=, 0);
      else
        memcpy (got, f->msg.frame.image.ptr, (gsize)w * h);
      g_assert_cmpmem (got, (gsize)w * h, px, (gsize)w * h);
    }
  }
  client_free (c);
  term_clear (&t);
}

/* an option out of range is refused with exit 2 and a sentence that names it */
static void
test_bad_options (void)
{
  static const char *const cases[][2] = {
    { "--fps=0", "--fps" }, { "--port=70000", "--port" }, { "--latency=70000", "--latency" },
    { "--client-timeout=5", "--client-timeout" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GSubprocess) p = NULL;
      g_autofree char *err = NULL;

      p = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                            &error, g_getenv ("RIDGE_TERMINAL"), cases[i][0], NULL);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, NULL, &err, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_subprocess_get_exit_status (p), ==, 2);
      g_assert_nonnull (strstr (err, cases[i][1]));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/terminal/bad-options", test_bad_options);
  g_test_add_func ("/terminal/handshake", test_handshake);
  g_test_add_func ("/terminal/version", test_version);
  g_test_add_func ("/terminal/errors", test_errors);
  g_test_add_func ("/terminal/garbage", test_garbage);
  g_test_add_func ("/terminal/busy", test_busy);
  g_test_add_func ("/terminal/control", test_control);
  g_test_add_func ("/terminal/capture", test_capture);
  g_test_add_func ("/terminal/stream", test_stream);
  g_test_add_func ("/terminal/store", test_store);
  g_test_add_func ("/terminal/reboot-time", test_reboot_and_time);
  g_test_add_func ("/terminal/discovery", test_discovery);
  g_test_add_func ("/terminal/faults", test_faults);
  g_test_add_func ("/terminal/fault-flags", test_fault_flags);
  g_test_add_func ("/terminal/idle-timeout", test_idle_timeout);
  g_test_add_func ("/terminal/enroll-match", test_enroll_match);
  g_test_add_func ("/terminal/enroll-states", test_enroll_states);
  g_test_add_func ("/terminal/synthetic", test_synthetic);
  g_test_add_func ("/terminal/libfprint", test_libfprint);
  return g_test_run ();
}
