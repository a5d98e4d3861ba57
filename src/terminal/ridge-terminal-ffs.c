/* ridge-terminal-ffs.c — ridge-terminal's USB device side through Linux FunctionFS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE             /* O_CLOEXEC, SOCK_CLOEXEC with -std=c11 */
#define G_LOG_DOMAIN "ridge-terminal"
#include "config.h"

#include "ridge-terminal-ffs.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RELAY_CHUNK (16 * 1024)

/* ---- descriptors and strings (§18.1, §18.2) ------------------------------------------ */

static guint8 *
put_le32 (guint8 *p,
          guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = (v >> 24) & 0xff;
  return p + 4;
}

/* interface FF/52/01 with bulk OUT 0x01 and bulk IN 0x82 of packet size mps */
static guint8 *
put_function (guint8 *p,
              guint16 mps)
{
  const guint8 intf[9] = {
    9, USB_DT_INTERFACE, 0 /* number: the gadget renumbers */, 0 /* alt */, 2 /* endpoints */,
    0xFF, 0x52, 0x01, 1 /* iInterface: string 1 */
  };
  const guint8 ep_out[7] = {
    7, USB_DT_ENDPOINT, USB_DIR_OUT | RIDGE_FFS_EP_OUT, USB_ENDPOINT_XFER_BULK,
    mps & 0xff, mps >> 8, 0
  };
  const guint8 ep_in[7] = {
    7, USB_DT_ENDPOINT, USB_DIR_IN | RIDGE_FFS_EP_IN, USB_ENDPOINT_XFER_BULK,
    mps & 0xff, mps >> 8, 0
  };

  memcpy (p, intf, sizeof intf);
  p += sizeof intf;
  memcpy (p, ep_out, sizeof ep_out);
  p += sizeof ep_out;
  memcpy (p, ep_in, sizeof ep_in);
  return p + sizeof ep_in;
}

gsize
ridge_ffs_descriptors (guint8 *out,
                       gsize   cap)
{
  const gsize len = 5 * 4 + 2 * (9 + 7 + 7);
  guint8 *p = out;

  if (cap < len)
    return 0;
  p = put_le32 (p, FUNCTIONFS_DESCRIPTORS_MAGIC_V2);
  p = put_le32 (p, (guint32)len);
  p = put_le32 (p, FUNCTIONFS_HAS_FS_DESC | FUNCTIONFS_HAS_HS_DESC);
  p = put_le32 (p, 3);     /* full-speed descriptors */
  p = put_le32 (p, 3);     /* high-speed descriptors */
  p = put_function (p, RIDGE_FFS_FS_PACKET);
  p = put_function (p, RIDGE_FFS_HS_PACKET);
  g_assert ((gsize)(p - out) == len);
  return len;
}

gsize
ridge_ffs_strings (guint8 *out,
                   gsize   cap)
{
  const gsize name_len = strlen (RIDGE_FFS_INTERFACE_NAME) + 1;
  const gsize len = 4 * 4 + 2 + name_len;
  guint8 *p = out;

  if (cap < len)
    return 0;
  p = put_le32 (p, FUNCTIONFS_STRINGS_MAGIC);
  p = put_le32 (p, (guint32)len);
  p = put_le32 (p, 1);     /* strings per language */
  p = put_le32 (p, 1);     /* languages */
  *p++ = 0x09;             /* en-US, 0x0409, little-endian */
  *p++ = 0x04;
  memcpy (p, RIDGE_FFS_INTERFACE_NAME, name_len);
  return len;
}

/* ---- one link: a socket pair and two relay threads ----------------------------------- */

typedef struct {
  gint    ref;
  int     ep_out;           /* bulk OUT (host → terminal) */
  int     ep_in;            /* bulk IN */
  int     relay;            /* our end of the socket pair */
  gint    closing;          /* atomic */
  GMutex  lock;
  guint64 bytes_out;
  guint64 bytes_in;
  guint   zlps;
} Link;

static Link *
link_ref (Link *link)
{
  g_atomic_int_inc (&link->ref);
  return link;
}

static void
link_unref (Link *link)
{
  if (!g_atomic_int_dec_and_test (&link->ref))
    return;
  close (link->ep_out);
  close (link->ep_in);
  close (link->relay);
  g_mutex_clear (&link->lock);
  g_free (link);
}

static gboolean
send_all (int           fd,
          const guint8 *buf,
          gsize         len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, buf, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= (gsize)n;
    }
  return TRUE;
}

/* bulk OUT → the session's socket */
static gpointer
out_thread (gpointer data)
{
  Link *link = data;
  g_autofree guint8 *buf = g_malloc (RELAY_CHUNK);
  guint empty = 0;

  while (!g_atomic_int_get (&link->closing))
    {
      ssize_t n = read (link->ep_out, buf, RELAY_CHUNK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          if (!g_atomic_int_get (&link->closing))
            g_debug ("usb gadget: bulk OUT ended: %s", g_strerror (errno));
          break;
        }
      if (n == 0)
        {
          /* a zero-length packet from the host: nothing to pass on. Many in a row are not
           * a real host (a closed stand-in file): do not spin on them */
          if (++empty > 64)
            g_usleep (10000);
          continue;
        }
      empty = 0;
      g_mutex_lock (&link->lock);
      link->bytes_out += (guint64)n;
      g_mutex_unlock (&link->lock);
      if (!send_all (link->relay, buf, (gsize)n))
        break;     /* the session is gone */
    }
  link_unref (link);
  return NULL;
}

static gboolean
relay_has_data (int fd)
{
  struct pollfd p = { .fd = fd, .events = POLLIN };

  return poll (&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* the session's socket → bulk IN, with a ZLP after a transfer that is a multiple of the
 * packet size when nothing more is queued (§18.3). The full-speed size (64) divides the
 * high-speed one (512): testing against 64 never misses a needed ZLP; at high speed it
 * may add one the host reads as an empty transfer, which a byte stream ignores. */
static gpointer
in_thread (gpointer data)
{
  Link *link = data;
  g_autofree guint8 *buf = g_malloc (RELAY_CHUNK);

  while (!g_atomic_int_get (&link->closing))
    {
      ssize_t n = read (link->relay, buf, RELAY_CHUNK);
      ssize_t w;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;     /* the session closed its end, or the link is going */
      /* counted before the write, taken back if it fails: once the host has the bytes (or
       * the ZLP), the counters already say so — a reader of the stats, or a link reset
       * that folds them into the totals, never misses what was sent */
      g_mutex_lock (&link->lock);
      link->bytes_in += (guint64)n;
      g_mutex_unlock (&link->lock);
      do
        w = write (link->ep_in, buf, (gsize)n);
      while (w < 0 && errno == EINTR);
      if (w < n)
        {
          g_mutex_lock (&link->lock);
          link->bytes_in -= (guint64)(n - MAX (w, 0));
          g_mutex_unlock (&link->lock);
        }
      if (w < 0)
        {
          if (!g_atomic_int_get (&link->closing))
            g_debug ("usb gadget: bulk IN ended: %s", g_strerror (errno));
          break;
        }
      if (n % RIDGE_FFS_FS_PACKET == 0 && !relay_has_data (link->relay))
        {
          g_mutex_lock (&link->lock);
          link->zlps++;
          g_mutex_unlock (&link->lock);
          do
            w = write (link->ep_in, buf, 0);
          while (w < 0 && errno == EINTR);
          if (w < 0)
            {
              g_mutex_lock (&link->lock);
              link->zlps--;
              g_mutex_unlock (&link->lock);
              break;
            }
        }
    }
  /* the session learns that the host side is gone */
  shutdown (link->relay, SHUT_RDWR);
  link_unref (link);
  return NULL;
}

/* ---- the function --------------------------------------------------------------------- */

struct _RidgeFfs {
  int               ep0;
  RidgeFfsCallbacks cb;
  char             *dir;
  guint             ep0_watch;
  Link             *link;
  RidgeFfsStats     stats;      /* of the links that ended, plus the events */
};

static int
open_dir_ep (gpointer data,
             guint    index,
             GError **error)
{
  RidgeFfs *ffs = data;
  g_autofree char *name = g_strdup_printf ("ep%u", index);
  g_autofree char *path = g_build_filename (ffs->dir, name, NULL);
  int fd = open (path, (index == RIDGE_FFS_EP_OUT ? O_RDONLY : O_WRONLY) | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
                   g_strerror (saved));
    }
  return fd;
}

static int
open_ep (RidgeFfs *ffs,
         guint     index,
         GError  **error)
{
  if (ffs->dir != NULL)
    return open_dir_ep (ffs, index, error);
  return ffs->cb.open_ep (ffs->cb.user_data, index, error);
}

static void
link_down (RidgeFfs *ffs)
{
  Link *link = g_steal_pointer (&ffs->link);

  if (link == NULL)
    return;
  g_atomic_int_set (&link->closing, 1);
  /* wakes both threads: the socket pair always; the endpoints when they are sockets (the
   * tests' stand-ins; FunctionFS ends their I/O itself on DISABLE/UNBIND) */
  shutdown (link->relay, SHUT_RDWR);
  shutdown (link->ep_out, SHUT_RDWR);
  shutdown (link->ep_in, SHUT_RDWR);
  g_mutex_lock (&link->lock);
  ffs->stats.bytes_out += link->bytes_out;
  ffs->stats.bytes_in += link->bytes_in;
  ffs->stats.zlps += link->zlps;
  g_mutex_unlock (&link->lock);
  link_unref (link);
  if (ffs->cb.link_down != NULL)
    ffs->cb.link_down (ffs->cb.user_data);
}

static void
link_up (RidgeFfs *ffs)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  int ep_out, ep_in = -1, sv[2];
  Link *link;

  ep_out = open_ep (ffs, RIDGE_FFS_EP_OUT, &error);
  if (ep_out >= 0)
    ep_in = open_ep (ffs, RIDGE_FFS_EP_IN, &error);
  if (ep_in < 0)
    {
      g_warning ("usb gadget: cannot open the bulk endpoints: %s", error->message);
      if (ep_out >= 0)
        close (ep_out);
      return;
    }
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    {
      g_warning ("usb gadget: socketpair: %s", g_strerror (errno));
      close (ep_out);
      close (ep_in);
      return;
    }
  socket = g_socket_new_from_fd (sv[0], &error);
  if (socket == NULL)
    {
      g_warning ("usb gadget: %s", error->message);
      close (sv[0]);
      close (sv[1]);
      close (ep_out);
      close (ep_in);
      return;
    }
  link = g_new0 (Link, 1);
  link->ref = 1;
  link->ep_out = ep_out;
  link->ep_in = ep_in;
  link->relay = sv[1];
  g_mutex_init (&link->lock);
  ffs->link = link;
  g_thread_unref (g_thread_new ("ridge-usb-out", out_thread, link_ref (link)));
  g_thread_unref (g_thread_new ("ridge-usb-in", in_thread, link_ref (link)));
  conn = g_socket_connection_factory_create_connection (socket);
  ffs->stats.enables++;
  g_message ("usb gadget: link up (host selected the interface)");
  ffs->cb.link_up (ffs->cb.user_data, conn);
}

/* Stalls the data stage of a request nobody here answers (§18.2: no class or vendor
 * requests): FunctionFS halts ep0 when it is read for an IN request or written for an OUT
 * one. */
static void
stall_setup (RidgeFfs                     *ffs,
             const struct usb_ctrlrequest *setup)
{
  ssize_t r;

  if (setup->bRequestType & USB_DIR_IN)
    r = read (ffs->ep0, NULL, 0);
  else
    r = write (ffs->ep0, NULL, 0);
  (void)r;    /* -EL2HLT is the expected answer: the stall happened */
  ffs->stats.setups_stalled++;
  g_debug ("usb gadget: stalled request %02x/%02x", setup->bRequestType, setup->bRequest);
}

static void
handle_event (RidgeFfs                          *ffs,
              const struct usb_functionfs_event *ev)
{
  switch (ev->type)
    {
      case FUNCTIONFS_BIND:
        ffs->stats.binds++;
        g_message ("usb gadget: bound to the USB device controller");
        break;
      case FUNCTIONFS_UNBIND:
        ffs->stats.unbinds++;
        link_down (ffs);
        g_message ("usb gadget: unbound");
        break;
      case FUNCTIONFS_ENABLE:
        /* a new SET_INTERFACE is the link reset: the old session ends, a new one starts */
        link_down (ffs);
        link_up (ffs);
        break;
      case FUNCTIONFS_DISABLE:
        ffs->stats.disables++;
        link_down (ffs);
        g_message ("usb gadget: link down");
        break;
      case FUNCTIONFS_SETUP:
        stall_setup (ffs, &ev->u.setup);
        break;
      case FUNCTIONFS_SUSPEND:
      case FUNCTIONFS_RESUME:
      default:
        break;
    }
}

static gboolean
ep0_ready_cb (int          fd,
              GIOCondition condition,
              gpointer     user_data)
{
  RidgeFfs *ffs = user_data;
  struct usb_functionfs_event events[4];
  ssize_t n = read (fd, events, sizeof events);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      g_warning ("usb gadget: ep0 closed (%s); the USB side stops",
                 n < 0 ? g_strerror (errno) : "end of file");
      link_down (ffs);
      ffs->ep0_watch = 0;
      return G_SOURCE_REMOVE;
    }
  for (gsize i = 0; i + 1 <= (gsize)n / sizeof events[0]; i++)
    handle_event (ffs, &events[i]);
  return G_SOURCE_CONTINUE;
}

RidgeFfs *
ridge_ffs_new (int                      ep0_fd,
               const RidgeFfsCallbacks *callbacks,
               GError                 **error)
{
  guint8 descs[128], strs[64];
  gsize dlen = ridge_ffs_descriptors (descs, sizeof descs);
  gsize slen = ridge_ffs_strings (strs, sizeof strs);
  RidgeFfs *ffs;

  g_return_val_if_fail (ep0_fd >= 0, NULL);
  g_return_val_if_fail (callbacks != NULL && callbacks->open_ep != NULL
                        && callbacks->link_up != NULL, NULL);

  if (write (ep0_fd, descs, dlen) != (ssize_t)dlen
      || write (ep0_fd, strs, slen) != (ssize_t)slen)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "FunctionFS did not take the descriptors: %s (is ep0 fresh, from a new "
                   "mount, and the UDC not yet bound?)", g_strerror (saved));
      close (ep0_fd);
      return NULL;
    }
  if (!g_unix_set_fd_nonblocking (ep0_fd, TRUE, error))
    {
      close (ep0_fd);
      return NULL;
    }
  ffs = g_new0 (RidgeFfs, 1);
  ffs->ep0 = ep0_fd;
  ffs->cb = *callbacks;
  ffs->ep0_watch = g_unix_fd_add (ep0_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, ep0_ready_cb, ffs);
  return ffs;
}

RidgeFfs *
ridge_ffs_new_for_dir (const char      *dir,
                       RidgeFfsLinkUp   up,
                       RidgeFfsLinkDown down,
                       gpointer         user_data,
                       GError         **error)
{
  g_autofree char *path = g_build_filename (dir, "ep0", NULL);
  RidgeFfsCallbacks cb = { open_dir_ep, up, down, NULL };
  RidgeFfs *ffs;
  int fd = open (path, O_RDWR | O_CLOEXEC);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "%s: %s (mount FunctionFS there first: see docs/usb.md)", path,
                   g_strerror (saved));
      return NULL;
    }
  ffs = ridge_ffs_new (fd, &cb, error);
  if (ffs == NULL)
    return NULL;
  /* the endpoints are opened from the folder; the caller's data goes to up/down */
  ffs->dir = g_strdup (dir);
  ffs->cb.user_data = user_data;
  return ffs;
}

void
ridge_ffs_free (RidgeFfs *ffs)
{
  if (ffs == NULL)
    return;
  g_clear_handle_id (&ffs->ep0_watch, g_source_remove);
  /* closing ep0 first: FunctionFS then disables the endpoints, ending their I/O */
  close (ffs->ep0);
  link_down (ffs);
  g_free (ffs->dir);
  g_free (ffs);
}

gboolean
ridge_ffs_has_link (RidgeFfs *ffs)
{
  g_return_val_if_fail (ffs != NULL, FALSE);
  return ffs->link != NULL;
}

void
ridge_ffs_get_stats (RidgeFfs      *ffs,
                     RidgeFfsStats *stats)
{
  g_return_if_fail (ffs != NULL && stats != NULL);
  *stats = ffs->stats;
  if (ffs->link != NULL)
    {
      g_mutex_lock (&ffs->link->lock);
      stats->bytes_out += ffs->link->bytes_out;
      stats->bytes_in += ffs->link->bytes_in;
      stats->zlps += ffs->link->zlps;
      g_mutex_unlock (&ffs->link->lock);
    }
}

/* ---- ridge-terminal's use of it -------------------------------------------------------- */

#ifndef RIDGE_FFS_STANDALONE
#include "ridge-terminal-private.h"

/* The USB host is one more client, served like a TCP one (busy when another holds the
 * terminal). */
static void
terminal_link_up (gpointer           data,
                  GSocketConnection *conn)
{
  RidgeTerminal *term = data;

  if (term->session != NULL)
    ridge_terminal_session_new (term, conn, TRUE);
  else
    term->session = ridge_terminal_session_new (term, conn, FALSE);
}

/* A link reset ends the session at once (the next ENABLE starts a new one). The session of
 * the link is the one on a socket pair: its peer has no IP address. */
static void
terminal_link_down (gpointer data)
{
  RidgeTerminal *term = data;

  if (term->session != NULL
      && g_strcmp0 (ridge_terminal_session_peer (term->session), "unknown peer") == 0)
    ridge_terminal_session_close (term->session, "USB link down");
}

RidgeFfs *
ridge_terminal_usb_gadget_start (gpointer    terminal,
                                 const char *dir,
                                 GError    **error)
{
  return ridge_ffs_new_for_dir (dir, terminal_link_up, terminal_link_down, terminal, error);
}
#endif
