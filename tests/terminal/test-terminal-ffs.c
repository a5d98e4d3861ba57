/* test-terminal-ffs.c — ridge-terminal's FunctionFS side without a USB device controller:
 * the descriptor and string blobs against byte layouts written out by hand from the
 * kernel's functionfs.h and USB 2.0 chapter 9, and the ep0 events and the bulk relay with
 * socket pairs standing in for ep0, ep1 and ep2 (SOCK_SEQPACKET keeps transfer boundaries
 * and zero-length packets visible)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE             /* SOCK_CLOEXEC, posix_openpt, cfmakeraw with -std=c11 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "ridge-terminal-ffs.h"
#include "ridge-wire.h"

/* ---- blobs ------------------------------------------------------------------------------ */

static void
test_descriptors (void)
{
  static const guint8 expected[] = {
    /* header: magic v2 (3), length 66, flags FS|HS, 3 FS and 3 HS descriptors */
    0x03, 0x00, 0x00, 0x00, 0x42, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    0x03, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
    /* full speed: interface 0 alt 0, 2 endpoints, FF/52/01, iInterface 1 */
    0x09, 0x04, 0x00, 0x00, 0x02, 0xFF, 0x52, 0x01, 0x01,
    /* bulk OUT 0x01, 64 bytes */
    0x07, 0x05, 0x01, 0x02, 0x40, 0x00, 0x00,
    /* bulk IN 0x82, 64 bytes */
    0x07, 0x05, 0x82, 0x02, 0x40, 0x00, 0x00,
    /* high speed: the same with 512-byte packets */
    0x09, 0x04, 0x00, 0x00, 0x02, 0xFF, 0x52, 0x01, 0x01,
    0x07, 0x05, 0x01, 0x02, 0x00, 0x02, 0x00,
    0x07, 0x05, 0x82, 0x02, 0x00, 0x02, 0x00,
  };
  guint8 out[128];
  gsize len = ridge_ffs_descriptors (out, sizeof out);

  g_assert_cmpmem (out, len, expected, sizeof expected);
  g_assert_cmpuint (ridge_ffs_descriptors (out, sizeof expected - 1), ==, 0);
}

static void
test_strings (void)
{
  static const guint8 expected[] = {
    /* magic (2), length 33, one string, one language */
    0x02, 0x00, 0x00, 0x00, 0x21, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00,
    0x09, 0x04,                                                /* en-US */
    'R', 'i', 'd', 'g', 'e', ' ', 't', 'e', 'r', 'm', 'i', 'n', 'a', 'l', 0,
  };
  guint8 out[64];
  gsize len = ridge_ffs_strings (out, sizeof out);

  g_assert_cmpmem (out, len, expected, sizeof expected);
}

/* ---- relay -------------------------------------------------------------------------------- */

typedef struct {
  int                ep0_host;      /* the test's end of ep0 */
  int                out_host;      /* the host's end of bulk OUT (the test writes) */
  int                in_host;       /* the host's end of bulk IN (the test reads) */
  GSocketConnection *conn;          /* the session's end of the current link */
  guint              ups;
  guint              downs;
} Fx;

static int
open_ep (gpointer data,
         guint    index,
         GError **error)
{
  Fx *fx = data;
  int sv[2];

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
  if (index == RIDGE_FFS_EP_OUT)
    {
      if (fx->out_host >= 0)
        close (fx->out_host);
      fx->out_host = sv[1];
    }
  else
    {
      g_assert_cmpuint (index, ==, RIDGE_FFS_EP_IN);
      if (fx->in_host >= 0)
        close (fx->in_host);
      fx->in_host = sv[1];
    }
  return sv[0];
}

static void
link_up (gpointer           data,
         GSocketConnection *conn)
{
  Fx *fx = data;

  g_clear_object (&fx->conn);
  fx->conn = g_object_ref (conn);
  g_socket_set_timeout (g_socket_connection_get_socket (conn), 5);
  fx->ups++;
}

static void
link_down (gpointer data)
{
  Fx *fx = data;

  fx->downs++;
}

static void
send_event (Fx    *fx,
            guint8 type,
            guint8 request_type)
{
  struct usb_functionfs_event ev;

  memset (&ev, 0, sizeof ev);
  ev.type = type;
  ev.u.setup.bRequestType = request_type;
  ev.u.setup.bRequest = 0x42;
  g_assert_cmpint (write (fx->ep0_host, &ev, sizeof ev), ==, sizeof ev);
}

/* One message (a transfer) from fd, or -1 when none arrives within ms. */
static gssize
recv_msg (int     fd,
          guint8 *buf,
          gsize   cap,
          int     ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64)ms * 1000;

  /* the ep0 events are handled on the main context: keep it running meanwhile */
  do
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };

      g_main_context_iteration (NULL, FALSE);
      if (poll (&p, 1, 5) > 0)
        return recv (fd, buf, cap, 0);
    }
  while (g_get_monotonic_time () < deadline);
  return -1;
}

static void
read_conn (Fx     *fx,
           guint8 *buf,
           gsize   len)
{
  g_autoptr (GError) error = NULL;
  gsize got = 0;

  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (fx->conn)),
                                          buf, len, &got, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (got, ==, len);
}

static void
write_conn (GSocketConnection *conn,
            const guint8      *buf,
            gsize              len)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (conn)),
                                            buf, len, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_relay (void)
{
  Fx fx = { .out_host = -1, .in_host = -1 };
  RidgeFfsCallbacks cb = { open_ep, link_up, link_down, &fx };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) first = NULL;
  guint8 buf[1024], expected[128];
  RidgeFfsStats stats;
  RidgeFfs *ffs;
  int sv[2];
  gssize n;

  g_assert_cmpint (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), ==, 0);
  fx.ep0_host = sv[1];
  ffs = ridge_ffs_new (sv[0], &cb, &error);
  g_assert_no_error (error);
  g_assert_nonnull (ffs);

  /* ep0 got the descriptors, then the strings, each in one write */
  n = recv_msg (fx.ep0_host, buf, sizeof buf, 1000);
  g_assert_cmpint (n, ==, (gssize)ridge_ffs_descriptors (expected, sizeof expected));
  g_assert_cmpmem (buf, n, expected, n);
  n = recv_msg (fx.ep0_host, buf, sizeof buf, 1000);
  g_assert_cmpint (n, ==, (gssize)ridge_ffs_strings (expected, sizeof expected));
  g_assert_cmpmem (buf, n, expected, n);
  g_assert_false (ridge_ffs_has_link (ffs));

  /* BIND, then ENABLE: a link */
  send_event (&fx, FUNCTIONFS_BIND, 0);
  send_event (&fx, FUNCTIONFS_ENABLE, 0);
  while (fx.ups == 0)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_true (ridge_ffs_has_link (ffs));

  /* bulk OUT (one transfer, then a ZLP the host may add) → the session's socket */
  g_assert_cmpint (write (fx.out_host, "HELLO-bytes", 11), ==, 11);
  g_assert_cmpint (write (fx.out_host, "", 0), ==, 0);
  g_assert_cmpint (write (fx.out_host, "+more", 5), ==, 5);
  read_conn (&fx, buf, 16);
  g_assert_cmpmem (buf, 16, "HELLO-bytes+more", 16);

  /* the session's bytes → bulk IN: a multiple of 64 with nothing queued ends with a ZLP */
  memset (expected, 0xA5, 128);
  write_conn (fx.conn, expected, 64);
  n = recv_msg (fx.in_host, buf, sizeof buf, 2000);
  g_assert_cmpint (n, ==, 64);
  n = recv_msg (fx.in_host, buf, sizeof buf, 2000);
  g_assert_cmpint (n, ==, 0);             /* the ZLP */
  /* a short transfer ends by itself: no ZLP */
  write_conn (fx.conn, expected, 100);
  n = recv_msg (fx.in_host, buf, sizeof buf, 2000);
  g_assert_cmpint (n, ==, 100);
  g_assert_cmpint (recv_msg (fx.in_host, buf, sizeof buf, 200), ==, -1);
  /* 128 bytes (two full-speed packets) also need one */
  write_conn (fx.conn, expected, 128);
  g_assert_cmpint (recv_msg (fx.in_host, buf, sizeof buf, 2000), ==, 128);
  g_assert_cmpint (recv_msg (fx.in_host, buf, sizeof buf, 2000), ==, 0);

  /* a vendor request (OUT) is stalled: FunctionFS is written to in the wrong direction */
  send_event (&fx, FUNCTIONFS_SETUP, 0x41);
  n = recv_msg (fx.ep0_host, buf, sizeof buf, 2000);
  g_assert_cmpint (n, ==, 0);
  ridge_ffs_get_stats (ffs, &stats);
  g_assert_cmpuint (stats.setups_stalled, ==, 1);

  /* a second ENABLE is the link reset: the old session's socket ends, a new link starts */
  first = g_object_ref (fx.conn);
  send_event (&fx, FUNCTIONFS_ENABLE, 0);
  while (fx.ups < 2)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (fx.downs, ==, 1);
  n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (first)), buf, sizeof buf,
                           NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);             /* end of stream */
  g_assert_cmpint (write (fx.out_host, "again", 5), ==, 5);
  read_conn (&fx, buf, 5);
  g_assert_cmpmem (buf, 5, "again", 5);

  ridge_ffs_get_stats (ffs, &stats);
  g_assert_cmpuint (stats.enables, ==, 2);
  g_assert_cmpuint (stats.binds, ==, 1);
  g_assert_cmpuint (stats.bytes_out, ==, 21);
  g_assert_cmpuint (stats.bytes_in, ==, 292);
  g_assert_cmpuint (stats.zlps, ==, 2);

  /* DISABLE ends the link */
  send_event (&fx, FUNCTIONFS_DISABLE, 0);
  while (fx.downs < 2)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_false (ridge_ffs_has_link (ffs));

  ridge_ffs_free (ffs);
  g_clear_object (&fx.conn);
  close (fx.ep0_host);
  close (fx.out_host);
  close (fx.in_host);
}

/* ---- the real ridge-terminal --usb-gadget ------------------------------------------- */

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static void
read_exactly (int     fd,
              guint8 *buf,
              gsize   len)
{
  gsize got = 0;

  while (got < len)
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      gssize n;

      g_assert_cmpint (poll (&p, 1, 10000), ==, 1);
      n = read (fd, buf + got, len - got);
      g_assert_cmpint (n, >, 0);
      got += (gsize)n;
    }
}

/* The next complete frame on fd (the bulk IN stand-in). */
static void
read_frame (int               fd,
            RidgeWireDecoder *dec,
            RidgeWireMsg     *msg)
{
  for (;;)
    {
      guint8 byte;
      size_t used = 0;

      read_exactly (fd, &byte, 1);
      if (ridge_wire_decoder_feed (dec, &byte, 1, &used) == RIDGE_WIRE_DEC_FRAME)
        {
          g_assert_cmpint (ridge_wire_decode (&dec->header, dec->payload, msg), ==,
                           RIDGE_WIRE_OK);
          return;
        }
    }
}

static void
write_event (int    fd,
             guint8 type)
{
  struct usb_functionfs_event ev;

  memset (&ev, 0, sizeof ev);
  ev.type = type;
  g_assert_cmpint (write (fd, &ev, sizeof ev), ==, sizeof ev);
}

/* ridge-terminal itself with --usb-gadget: a pty in raw mode stands in for ep0 (it is a
 * file that opens read-write), FIFOs for ep1 and ep2. A HELLO and a PING go through the
 * relay into the same session code as TCP and their answers come back. */
static void
test_terminal_over_gadget (void)
{
  const char *exe = g_getenv ("RIDGE_TERMINAL");
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *ep0 = NULL, *ep1 = NULL, *ep2 = NULL, *state = NULL, *dir_arg = NULL;
  g_autofree char *state_arg = NULL;
  g_autofree guint8 *payload = g_malloc (RIDGE_WIRE_MAX_PAYLOAD);
  guint8 blob[128], expected[128], frame[512];
  RidgeWireMsg msg = { 0 }, answer;
  RidgeWireDecoder dec;
  struct termios tio;
  gsize dlen, slen;
  int master, slave, out_fd, in_fd;
  int32_t n;

  if (exe == NULL)
    {
      g_test_skip ("RIDGE_TERMINAL is not set");
      return;
    }
  dir = g_dir_make_tmp ("ridge-ffs-XXXXXX", &error);
  g_assert_no_error (error);
  master = posix_openpt (O_RDWR | O_NOCTTY);
  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);
  g_assert_cmpint (tcgetattr (slave, &tio), ==, 0);
  cfmakeraw (&tio);
  g_assert_cmpint (tcsetattr (slave, TCSANOW, &tio), ==, 0);
  ep0 = g_build_filename (dir, "ep0", NULL);
  ep1 = g_build_filename (dir, "ep1", NULL);
  ep2 = g_build_filename (dir, "ep2", NULL);
  state = g_build_filename (dir, "state", NULL);
  g_assert_cmpint (symlink (ptsname (master), ep0), ==, 0);
  g_assert_cmpint (mkfifo (ep1, 0600), ==, 0);
  g_assert_cmpint (mkfifo (ep2, 0600), ==, 0);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  g_subprocess_launcher_setenv (launcher, "G_DEBUG", "fatal-criticals", TRUE);
  dir_arg = g_strdup_printf ("--usb-gadget=%s", dir);
  state_arg = g_strdup_printf ("--state-dir=%s", state);
  proc = g_subprocess_launcher_spawn (launcher, &error, exe, "--listen=127.0.0.1", "--port=0",
                                      "--discovery-port=0", state_arg, dir_arg, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_nonnull (line);
      if (g_str_has_prefix (line, "ridge-terminal: USB gadget function ready"))
        break;
    }

  /* ep0: the descriptors, then the strings */
  dlen = ridge_ffs_descriptors (expected, sizeof expected);
  read_exactly (master, blob, dlen);
  g_assert_cmpmem (blob, dlen, expected, dlen);
  slen = ridge_ffs_strings (expected, sizeof expected);
  read_exactly (master, blob, slen);
  g_assert_cmpmem (blob, slen, expected, slen);

  /* the host selects the interface: the terminal opens ep1 (OUT) then ep2 (IN) */
  write_event (master, FUNCTIONFS_BIND);
  write_event (master, FUNCTIONFS_ENABLE);
  out_fd = open (ep1, O_WRONLY | O_CLOEXEC);
  g_assert_cmpint (out_fd, >=, 0);
  in_fd = open (ep2, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint (in_fd, >=, 0);

  ridge_wire_decoder_init (&dec, payload, RIDGE_WIRE_MAX_PAYLOAD);
  msg.hello.version_min = 1;
  msg.hello.version_max = 1;
  msg.hello.max_payload = RIDGE_WIRE_MAX_PAYLOAD;
  msg.hello.client_name = (RidgeWireStr) { "test-ffs", 8 };
  n = ridge_wire_encode (frame, sizeof frame, RIDGE_MSG_HELLO, 0, 1, &msg);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (write (out_fd, frame, n), ==, n);
  read_frame (in_fd, &dec, &answer);
  g_assert_cmpuint (dec.header.type, ==, RIDGE_MSG_HELLO);
  g_assert_cmpuint (dec.header.seq, ==, 1);
  g_assert_true (dec.header.flags & RIDGE_WIRE_FLAG_RESPONSE);
  g_assert_false (dec.header.flags & RIDGE_WIRE_FLAG_ERROR);

  memset (&msg, 0, sizeof msg);
  n = ridge_wire_encode (frame, sizeof frame, RIDGE_MSG_PING, 0, 2, &msg);
  g_assert_cmpint (n, >, 0);
  g_assert_cmpint (write (out_fd, frame, n), ==, n);
  do
    read_frame (in_fd, &dec, &answer);      /* events may come first */
  while (!(dec.header.flags & RIDGE_WIRE_FLAG_RESPONSE));
  g_assert_cmpuint (dec.header.type, ==, RIDGE_MSG_PING);
  g_assert_cmpuint (dec.header.seq, ==, 2);
  g_assert_false (dec.header.flags & RIDGE_WIRE_FLAG_ERROR);

  /* DISABLE ends the link: the session goes, bulk IN reaches its end */
  write_event (master, FUNCTIONFS_DISABLE);
  close (out_fd);
  for (;;)
    {
      struct pollfd p = { .fd = in_fd, .events = POLLIN };

      g_assert_cmpint (poll (&p, 1, 10000), ==, 1);
      if (read (in_fd, blob, sizeof blob) <= 0)
        break;
    }
  close (in_fd);

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  close (slave);
  close (master);
  g_unlink (ep0);
  g_unlink (ep1);
  g_unlink (ep2);
  {
    g_autoptr (GDir) d = g_dir_open (state, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = g_build_filename (state, name, NULL);

        g_unlink (path);
      }
  }
  g_rmdir (state);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ffs/descriptors", test_descriptors);
  g_test_add_func ("/ffs/strings", test_strings);
  g_test_add_func ("/ffs/relay", test_relay);
  g_test_add_func ("/ffs/terminal", test_terminal_over_gadget);
  return g_test_run ();
}
