/* test-terminal-ffs.c — ridge-terminal's FunctionFS side without a USB device controller:
 * the descriptor and string blobs against byte layouts written out by hand from the
 * kernel's functionfs.h and USB 2.0 chapter 9, and the ep0 events and the bulk relay with
 * socket pairs standing in for ep0, ep1 and ep2 (SOCK_SEQPACKET keeps transfer boundaries
 * and zero-length packets visible)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE             /* SOCK_CLOEXEC with -std=c11 */
#include "config.h"

#include <errno.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ridge-terminal-ffs.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ffs/descriptors", test_descriptors);
  g_test_add_func ("/ffs/strings", test_strings);
  g_test_add_func ("/ffs/relay", test_relay);
  return g_test_run ();
}
