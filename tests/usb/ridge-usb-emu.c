/* ridge-usb-emu.c — a Ridge terminal on an emulated USB bus (umockdev), for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Threads: umockdev runs the ioctl handler on its testbed worker thread; a relay thread per
 * TCP connection reads the terminal's bytes. Both meet under emu->lock. URBs are
 * completed into a "done" queue; a reap (libusb only uses REAPURBNDELAY) takes the first
 * done URB of its device node, or waits up to REAP_WAIT_MS for one before answering EAGAIN:
 * the emulated node is a plain file that always polls ready, so answering EAGAIN at once
 * would make libusb's event thread spin.
 */
#define G_LOG_DOMAIN "ridge-usb-emu"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <linux/ioctl.h>
#include <linux/usbdevice_fs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <umockdev.h>

#include "ridge-usb-emu.h"

#define REAP_WAIT_MS  10
#define TCP_IN_MAX    (1u << 20)
#define EP_IN         0x81
#define EP_OUT        0x01
#define PRODUCT       "Ridge terminal (emulated)"
#define SERIAL        "EMU0001"
#define SYSPATH       "/devices/usb1/1-2"

typedef struct {
  UMockdevIoctlData   *urb;    /* resolved struct usbdevfs_urb (same address space) */
  guint                devnum;
  UMockdevIoctlClient *client; /* the open device node that submitted it: only that one
                                * reaps or discards it (a second process that opens the
                                * node — ridgectl told "busy" — must never be handed it) */
} Urb;

struct _RidgeUsbEmu {
  char                *terminal_address;
  UMockdevTestbed     *testbed;
  UMockdevIoctlBase   *handler;
  GMutex               lock;
  GCond                cond;
  GMainContext        *worker;
  guint                devnum;      /* current device address, 0 before the first plug */
  gboolean             plugged;
  char                *devnode;
  GQueue               in_urbs;     /* Urb *, waiting for terminal bytes */
  GQueue               done;        /* Urb *, waiting to be reaped */
  GQueue               held_out;    /* Urb *, OUT URBs the "device" does not accept */
  UMockdevIoctlClient *reap_client; /* a reap waiting for a done URB */
  guint                reap_devnum;
  GSource             *reap_timeout;
  GByteArray          *tcp_in;
  GSocketConnection   *conn;
  GThread             *relay;
  gpointer             owner;       /* the client that claimed the interface (identity only) */
  guint                stall_in;
  guint                stall_out;
  gboolean             hang_out;
  RidgeUsbEmuStats     stats;
};

static void
urb_free (Urb *u)
{
  umockdev_ioctl_data_unref (u->urb);
  g_clear_object (&u->client);
  g_free (u);
}

static struct usbdevfs_urb *
urb_struct (Urb *u)
{
  return (struct usbdevfs_urb *)u->urb->data;
}

static guint
client_devnum (UMockdevIoctlClient *client)
{
  const char *node = umockdev_ioctl_client_get_devnode (client);
  const char *slash = node != NULL ? strrchr (node, '/') : NULL;

  return slash != NULL ? (guint)g_ascii_strtoull (slash + 1, NULL, 10) : 0;
}

/* Answers a reap with u (transfer full). Lock held. */
static void
reap_answer (UMockdevIoctlClient *client,
             Urb                 *u)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  g_autoptr (GError) error = NULL;
  g_autoptr (UMockdevIoctlData) ptr = umockdev_ioctl_data_resolve (arg, 0, sizeof (gpointer),
                                                                   &error);

  g_assert_no_error (error);
  umockdev_ioctl_data_set_ptr (ptr, 0, u->urb);
  umockdev_ioctl_client_complete (client, 0, 0);
  urb_free (u);
}

static Urb *
done_take_locked (RidgeUsbEmu         *emu,
                  UMockdevIoctlClient *client)
{
  for (GList *l = emu->done.head; l != NULL; l = l->next)
    {
      Urb *u = l->data;
      if (u->client == client)
        {
          g_queue_delete_link (&emu->done, l);
          return u;
        }
    }
  return NULL;
}

static void
pending_reap_clear_locked (RidgeUsbEmu *emu)
{
  if (emu->reap_timeout != NULL)
    {
      g_source_destroy (emu->reap_timeout);
      g_clear_pointer (&emu->reap_timeout, g_source_unref);
    }
  g_clear_object (&emu->reap_client);
}

/* A URB finished: answer the waiting reap, or queue it. Lock held. */
static void
urb_done_locked (RidgeUsbEmu *emu,
                 Urb         *u)
{
  if (emu->reap_client != NULL && emu->reap_client == u->client)
    {
      g_autoptr (UMockdevIoctlClient) client = g_object_ref (emu->reap_client);
      pending_reap_clear_locked (emu);
      reap_answer (client, u);
      return;
    }
  g_queue_push_tail (&emu->done, u);
}

static gboolean
reap_timeout_cb (gpointer data)
{
  RidgeUsbEmu *emu = data;

  g_mutex_lock (&emu->lock);
  if (emu->reap_client != NULL)
    {
      umockdev_ioctl_client_complete (emu->reap_client, -1,
                                      emu->plugged && emu->reap_devnum == emu->devnum ?
                                      EAGAIN : ENODEV);
      g_clear_pointer (&emu->reap_timeout, g_source_unref);
      g_clear_object (&emu->reap_client);
    }
  g_mutex_unlock (&emu->lock);
  return G_SOURCE_REMOVE;
}

/* Moves terminal bytes into queued IN URBs. Lock held. */
static void
feed_in_locked (RidgeUsbEmu *emu)
{
  while (!g_queue_is_empty (&emu->in_urbs) && (emu->tcp_in->len > 0 || emu->stall_in > 0))
    {
      Urb *u = g_queue_pop_head (&emu->in_urbs);
      struct usbdevfs_urb *urb = urb_struct (u);

      if (emu->stall_in > 0)
        {
          emu->stall_in--;
          urb->status = -EPIPE;
          urb->actual_length = 0;
        }
      else
        {
          /* a short transfer: the terminal ends what it has with a short packet (§18.3) */
          guint n = MIN ((guint)urb->buffer_length, emu->tcp_in->len);
          memcpy (urb->buffer, emu->tcp_in->data, n);
          g_byte_array_remove_range (emu->tcp_in, 0, n);
          urb->status = 0;
          urb->actual_length = (int)n;
          emu->stats.bytes_in += n;
          emu->stats.urbs_in++;
        }
      urb_done_locked (emu, u);
    }
  g_cond_broadcast (&emu->cond);
}

typedef struct {
  RidgeUsbEmu       *emu;
  GSocketConnection *conn;
} Relay;

static gpointer
relay_thread (gpointer data)
{
  Relay *r = data;
  RidgeUsbEmu *emu = r->emu;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (r->conn));
  guint8 buf[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (in, buf, sizeof buf, NULL, NULL);
      if (n <= 0)
        break;
      g_mutex_lock (&emu->lock);
      while (emu->conn == r->conn && emu->tcp_in->len > TCP_IN_MAX)
        g_cond_wait (&emu->cond, &emu->lock);
      if (emu->conn == r->conn)
        {
          g_byte_array_append (emu->tcp_in, buf, (guint)n);
          feed_in_locked (emu);
        }
      g_mutex_unlock (&emu->lock);
    }
  g_object_unref (r->conn);
  g_free (r);
  return NULL;
}

/* Drops the TCP link to the terminal. Lock held; it is released while joining. */
static void
link_drop_locked (RidgeUsbEmu *emu)
{
  GSocketConnection *conn = g_steal_pointer (&emu->conn);
  GThread *relay = g_steal_pointer (&emu->relay);

  g_byte_array_set_size (emu->tcp_in, 0);
  g_cond_broadcast (&emu->cond);
  if (conn == NULL)
    return;
  g_mutex_unlock (&emu->lock);
  g_socket_shutdown (g_socket_connection_get_socket (conn), TRUE, TRUE, NULL);
  g_thread_join (relay);
  g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
  g_object_unref (conn);
  g_mutex_lock (&emu->lock);
}

/* SET_INTERFACE: the link reset of §18.4, a fresh session with the terminal. Lock held. */
static gboolean
link_reset_locked (RidgeUsbEmu *emu)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  GSocketConnection *conn;
  Relay *r;

  link_drop_locked (emu);
  conn = g_socket_client_connect_to_host (client, emu->terminal_address, 0, NULL, &error);
  if (conn == NULL)
    {
      g_printerr ("ridge-usb-emu: cannot reach the terminal: %s\n", error->message);
      return FALSE;
    }
  g_socket_set_option (g_socket_connection_get_socket (conn), IPPROTO_TCP, TCP_NODELAY, 1,
                       NULL);
  emu->conn = conn;
  r = g_new0 (Relay, 1);
  r->emu = emu;
  r->conn = g_object_ref (conn);
  emu->relay = g_thread_new ("ridge-usb-emu-relay", relay_thread, r);
  emu->stats.link_resets++;
  return TRUE;
}

static int
string_descriptor (guint8  index,
                   guint8 *out,
                   int     cap)
{
  const char *s;
  int len;

  if (index == 0)
    {
      static const guint8 langs[] = { 4, 3, 0x09, 0x04 };
      len = MIN (cap, (int)sizeof langs);
      memcpy (out, langs, (size_t)len);
      return len;
    }
  s = index == 1 ? "Ridge project" : index == 2 ? PRODUCT : index == 3 ? SERIAL : NULL;
  if (s == NULL)
    return -1;
  {
    guint8 desc[2 + 2 * 64];
    int n = (int)MIN (strlen (s), 64u);
    desc[0] = (guint8)(2 + 2 * n);
    desc[1] = 3;
    for (int i = 0; i < n; i++)
      {
        desc[2 + 2 * i] = (guint8)s[i];
        desc[3 + 2 * i] = 0;
      }
    len = MIN (cap, desc[0]);
    memcpy (out, desc, (size_t)len);
    return len;
  }
}

/* A bulk OUT URB the "device" accepts: its bytes go to the terminal. Lock held. */
static void
out_deliver_locked (RidgeUsbEmu *emu,
                    Urb         *u)
{
  struct usbdevfs_urb *urb = urb_struct (u);

  if (emu->conn != NULL && urb->buffer_length > 0)
    {
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (emu->conn));
      /* the terminal may be gone: a real device would swallow the bytes too */
      g_output_stream_write_all (out, urb->buffer, (gsize)urb->buffer_length, NULL, NULL, NULL);
    }
  urb->status = 0;
  urb->actual_length = urb->buffer_length;
  emu->stats.bytes_out += (guint64)urb->buffer_length;
  emu->stats.urbs_out++;
  urb_done_locked (emu, u);
}

static void
handle_submit_locked (RidgeUsbEmu         *emu,
                      UMockdevIoctlClient *client,
                      guint                devnum)
{
  UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg (client);
  g_autoptr (GError) error = NULL;
  UMockdevIoctlData *data = umockdev_ioctl_data_resolve (arg, 0, sizeof (struct usbdevfs_urb),
                                                         &error);
  struct usbdevfs_urb *urb;
  Urb *u;

  g_assert_no_error (error);
  urb = (struct usbdevfs_urb *)data->data;
  u = g_new0 (Urb, 1);
  u->urb = data;
  u->devnum = devnum;
  u->client = g_object_ref (client);

  if (urb->type == USBDEVFS_URB_TYPE_CONTROL)
    {
      guint8 *setup = urb->buffer;
      guint16 wvalue = (guint16)(setup[2] | setup[3] << 8);
      guint16 wlength = (guint16)(setup[6] | setup[7] << 8);
      int n = -1;

      if (setup[0] == 0x80 && setup[1] == 6 && (wvalue >> 8) == 3)
        n = string_descriptor (wvalue & 0xff, setup + 8, MIN (wlength, urb->buffer_length - 8));
      urb->status = n < 0 ? -EPIPE : 0;
      urb->actual_length = MAX (n, 0);
      emu->stats.control++;
      umockdev_ioctl_client_complete (client, 0, 0);
      urb_done_locked (emu, u);
      return;
    }
  if (urb->type != USBDEVFS_URB_TYPE_BULK || (urb->endpoint != EP_IN && urb->endpoint != EP_OUT))
    {
      urb_free (u);
      umockdev_ioctl_client_complete (client, -1, EINVAL);
      return;
    }
  umockdev_ioctl_client_complete (client, 0, 0);
  if (urb->endpoint == EP_IN)
    {
      g_queue_push_tail (&emu->in_urbs, u);
      feed_in_locked (emu);
      return;
    }
  if (emu->stall_out > 0)
    {
      /* the payload is lost, as when a device halts its OUT endpoint */
      emu->stall_out--;
      urb->status = -EPIPE;
      urb->actual_length = 0;
      urb_done_locked (emu, u);
      return;
    }
  if (emu->hang_out)
    {
      g_queue_push_tail (&emu->held_out, u); /* NAKed until discarded or unplugged */
      return;
    }
  out_deliver_locked (emu, u);
}

static gboolean
handle_ioctl (UMockdevIoctlBase   *handler,
              UMockdevIoctlClient *client,
              gpointer             data)
{
  RidgeUsbEmu *emu = data;
  gulong request = umockdev_ioctl_client_get_request (client);
  guint devnum = client_devnum (client);
  gboolean alive;

  (void)handler;
  g_mutex_lock (&emu->lock);
  if (emu->worker == NULL)
    emu->worker = g_main_context_ref_thread_default ();
  alive = emu->plugged && devnum == emu->devnum;

  switch (request)
    {
      case USBDEVFS_GET_CAPABILITIES:
        {
          g_autoptr (UMockdevIoctlData) d =
            umockdev_ioctl_data_resolve (umockdev_ioctl_client_get_arg (client), 0,
                                         sizeof (guint32), NULL);
          *(guint32 *)d->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM |
                                USBDEVFS_CAP_REAP_AFTER_DISCONNECT | USBDEVFS_CAP_ZERO_PACKET;
          umockdev_ioctl_client_complete (client, 0, 0);
          break;
        }

      case USBDEVFS_CLAIMINTERFACE:
      case USBDEVFS_DISCONNECT_CLAIM:
        /* one claimer at a time, like the kernel (another fd gets EBUSY) */
        if (!alive)
          umockdev_ioctl_client_complete (client, -1, ENODEV);
        else if (emu->owner != NULL && emu->owner != client)
          umockdev_ioctl_client_complete (client, -1, EBUSY);
        else
          {
            emu->owner = client;
            umockdev_ioctl_client_complete (client, 0, 0);
          }
        break;

      case USBDEVFS_RESETEP:
      case USBDEVFS_RESET:
        umockdev_ioctl_client_complete (client, alive ? 0 : -1, alive ? 0 : ENODEV);
        break;

      case USBDEVFS_CLEAR_HALT:
        if (alive)
          emu->stats.clear_halts++;
        umockdev_ioctl_client_complete (client, alive ? 0 : -1, alive ? 0 : ENODEV);
        break;

      case USBDEVFS_SETINTERFACE:
        if (alive && link_reset_locked (emu))
          umockdev_ioctl_client_complete (client, 0, 0);
        else
          umockdev_ioctl_client_complete (client, -1, alive ? EIO : ENODEV);
        break;

      case USBDEVFS_RELEASEINTERFACE:
        if (!alive)
          {
            umockdev_ioctl_client_complete (client, -1, ENODEV);
            break;
          }
        if (emu->owner != client)
          {
            umockdev_ioctl_client_complete (client, -1, EINVAL);
            break;
          }
        emu->owner = NULL;
        link_drop_locked (emu);
        umockdev_ioctl_client_complete (client, 0, 0);
        break;

      case USBDEVFS_SUBMITURB:
        if (!alive)
          umockdev_ioctl_client_complete (client, -1, ENODEV);
        else
          handle_submit_locked (emu, client, devnum);
        break;

      case USBDEVFS_DISCARDURB:
        {
          gulong addr = *(gulong *)umockdev_ioctl_client_get_arg (client)->data;
          GQueue *q = &emu->in_urbs;
          GList *l;

          for (l = q->head; l != NULL; l = l->next)
            if (((Urb *)l->data)->urb->client_addr == addr && ((Urb *)l->data)->client == client)
              break;
          if (l == NULL)
            {
              q = &emu->held_out;
              for (l = q->head; l != NULL; l = l->next)
                if (((Urb *)l->data)->urb->client_addr == addr
                    && ((Urb *)l->data)->client == client)
                  break;
            }
          if (l == NULL)
            {
              umockdev_ioctl_client_complete (client, -1, EINVAL);
              break;
            }
          {
            Urb *u = l->data;
            g_queue_delete_link (q, l);
            urb_struct (u)->status = -ENOENT;
            urb_struct (u)->actual_length = 0;
            emu->stats.discards++;
            umockdev_ioctl_client_complete (client, 0, 0);
            urb_done_locked (emu, u);
          }
          break;
        }

      case USBDEVFS_REAPURB:
      case USBDEVFS_REAPURBNDELAY:
        {
          Urb *u = done_take_locked (emu, client);
          if (u != NULL)
            reap_answer (client, u);
          else if (!alive)
            umockdev_ioctl_client_complete (client, -1, ENODEV);
          else if (emu->reap_client != NULL)
            umockdev_ioctl_client_complete (client, -1, EAGAIN);
          else
            {
              emu->reap_client = g_object_ref (client);
              emu->reap_devnum = devnum;
              emu->reap_timeout = g_timeout_source_new (REAP_WAIT_MS);
              g_source_set_callback (emu->reap_timeout, reap_timeout_cb, emu, NULL);
              g_source_attach (emu->reap_timeout, emu->worker);
            }
          break;
        }

      default:
        g_mutex_unlock (&emu->lock);
        return FALSE; /* umockdev's defaults (ENOTTY …) */
    }
  g_mutex_unlock (&emu->lock);
  return TRUE;
}

static char *
descriptors_hex (void)
{
  static const guint8 d[] = {
    /* device: USB 2.0, EP0 64, 1209:5247, bcdDevice 1.00, strings 1/2/3, 1 config */
    0x12, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x40, 0x09, 0x12, 0x47, 0x52, 0x00, 0x01,
    0x01, 0x02, 0x03, 0x01,
    /* configuration 1: 32 bytes, 1 interface, bus powered 100 mA */
    0x09, 0x02, 0x20, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
    /* interface 0: 2 endpoints, FF/52/01 */
    0x09, 0x04, 0x00, 0x00, 0x02, 0xff, 0x52, 0x01, 0x00,
    /* bulk IN 0x81 and OUT 0x01, 512 bytes (high speed) */
    0x07, 0x05, EP_IN, 0x02, 0x00, 0x02, 0x00,
    0x07, 0x05, EP_OUT, 0x02, 0x00, 0x02, 0x00,
  };
  GString *s = g_string_new (NULL);

  for (gsize i = 0; i < sizeof d; i++)
    g_string_append_printf (s, "%02x", d[i]);
  return g_string_free (s, FALSE);
}

RidgeUsbEmu *
ridge_usb_emu_new (const char *terminal_address)
{
  RidgeUsbEmu *emu = g_new0 (RidgeUsbEmu, 1);

  emu->terminal_address = g_strdup (terminal_address);
  g_mutex_init (&emu->lock);
  g_cond_init (&emu->cond);
  g_queue_init (&emu->in_urbs);
  g_queue_init (&emu->done);
  g_queue_init (&emu->held_out);
  emu->tcp_in = g_byte_array_new ();
  emu->testbed = umockdev_testbed_new ();
  emu->handler = umockdev_ioctl_base_new ();
  g_signal_connect (emu->handler, "handle-ioctl", G_CALLBACK (handle_ioctl), emu);
  return emu;
}

void
ridge_usb_emu_plug (RidgeUsbEmu *emu)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hex = descriptors_hex ();
  g_autofree char *desc = NULL;
  guint devnum;

  g_mutex_lock (&emu->lock);
  g_assert_false (emu->plugged);
  devnum = emu->devnum = emu->devnum + 2; /* a replugged device gets a new address */
  g_free (emu->devnode);
  emu->devnode = g_strdup_printf ("/dev/bus/usb/001/%03u", devnum);
  g_mutex_unlock (&emu->lock);

  umockdev_testbed_attach_ioctl (emu->testbed, emu->devnode, emu->handler, &error);
  g_assert_no_error (error);
  desc = g_strdup_printf ("P: %s\n"
                          "N: bus/usb/001/%03u\n"
                          "E: SUBSYSTEM=usb\n"
                          "E: DEVTYPE=usb_device\n"
                          "E: BUSNUM=001\n"
                          "E: DEVNUM=%03u\n"
                          "E: DEVNAME=/dev/bus/usb/001/%03u\n"
                          "E: PRODUCT=1209/5247/100\n"
                          "A: busnum=1\\n\n"
                          "A: devnum=%u\\n\n"
                          "A: bConfigurationValue=1\\n\n"
                          "A: speed=480\\n\n"
                          "A: idVendor=1209\\n\n"
                          "A: idProduct=5247\\n\n"
                          "A: product=%s\\n\n"
                          "A: serial=%s\\n\n"
                          "H: descriptors=%s\n",
                          SYSPATH, devnum, devnum, devnum, devnum, PRODUCT, SERIAL, hex);
  g_mutex_lock (&emu->lock);
  emu->plugged = TRUE;
  g_mutex_unlock (&emu->lock);
  umockdev_testbed_add_from_string (emu->testbed, desc, &error);
  g_assert_no_error (error);
}

void
ridge_usb_emu_unplug (RidgeUsbEmu *emu)
{
  g_autofree char *syspath = NULL;

  g_mutex_lock (&emu->lock);
  g_assert_true (emu->plugged);
  emu->plugged = FALSE;
  emu->owner = NULL;
  /* the kernel ends every URB in flight with ESHUTDOWN */
  while (!g_queue_is_empty (&emu->in_urbs) || !g_queue_is_empty (&emu->held_out))
    {
      Urb *u = g_queue_pop_head (g_queue_is_empty (&emu->in_urbs) ? &emu->held_out :
                                 &emu->in_urbs);
      urb_struct (u)->status = -ESHUTDOWN;
      urb_struct (u)->actual_length = 0;
      urb_done_locked (emu, u);
    }
  link_drop_locked (emu);
  g_mutex_unlock (&emu->lock);

  syspath = g_strdup ("/sys" SYSPATH);
  umockdev_testbed_uevent (emu->testbed, syspath, "remove");
  umockdev_testbed_remove_device (emu->testbed, syspath);
}

void
ridge_usb_emu_stall_in (RidgeUsbEmu *emu,
                        guint        n)
{
  g_mutex_lock (&emu->lock);
  emu->stall_in += n;
  feed_in_locked (emu);
  g_mutex_unlock (&emu->lock);
}

void
ridge_usb_emu_stall_out (RidgeUsbEmu *emu,
                         guint        n)
{
  g_mutex_lock (&emu->lock);
  emu->stall_out += n;
  g_mutex_unlock (&emu->lock);
}

void
ridge_usb_emu_hang_out (RidgeUsbEmu *emu,
                        gboolean     hang)
{
  g_mutex_lock (&emu->lock);
  emu->hang_out = hang;
  while (!hang && !g_queue_is_empty (&emu->held_out))
    out_deliver_locked (emu, g_queue_pop_head (&emu->held_out));
  g_mutex_unlock (&emu->lock);
}

void
ridge_usb_emu_get_stats (RidgeUsbEmu      *emu,
                         RidgeUsbEmuStats *out)
{
  g_mutex_lock (&emu->lock);
  *out = emu->stats;
  g_mutex_unlock (&emu->lock);
}

void
ridge_usb_emu_free (RidgeUsbEmu *emu)
{
  if (emu == NULL)
    return;
  g_mutex_lock (&emu->lock);
  emu->plugged = FALSE;
  link_drop_locked (emu);
  pending_reap_clear_locked (emu);
  g_mutex_unlock (&emu->lock);
  g_signal_handlers_disconnect_by_data (emu->handler, emu);
  g_clear_object (&emu->testbed);
  g_clear_object (&emu->handler);
  g_queue_clear_full (&emu->in_urbs, (GDestroyNotify)urb_free);
  g_queue_clear_full (&emu->done, (GDestroyNotify)urb_free);
  g_queue_clear_full (&emu->held_out, (GDestroyNotify)urb_free);
  g_byte_array_unref (emu->tcp_in);
  g_clear_pointer (&emu->worker, g_main_context_unref);
  g_free (emu->devnode);
  g_free (emu->terminal_address);
  g_mutex_clear (&emu->lock);
  g_cond_clear (&emu->cond);
  g_free (emu);
}
