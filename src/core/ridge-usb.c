/* ridge-usb.c — libusb context with its event thread, enumeration of Ridge terminals
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * libusb needs someone to call libusb_handle_events(). A dedicated thread does it (see
 * docs/usb.md for why not a GSource on libusb's pollfds); transfer callbacks run there and
 * pass their results to the GMainContext of the object that submitted the transfer.
 */
#define G_LOG_DOMAIN "ridge-usb"

#include "config.h"

#include "ridge-usb.h"
#include "ridge-usb-private.h"

#include "ridge-error.h"

struct _RidgeUsbContext {
  GObject         parent_instance;
  libusb_context *ctx;
  GThread        *thread;
  int             stop;
};

G_DEFINE_FINAL_TYPE (RidgeUsbContext, ridge_usb_context, G_TYPE_OBJECT);

static gpointer
event_thread (gpointer data)
{
  RidgeUsbContext *self = data;

  while (!g_atomic_int_get (&self->stop))
    {
      struct timeval tv = { 1, 0 };
      int rc = libusb_handle_events_timeout_completed (self->ctx, &tv, &self->stop);
      if (rc != 0 && rc != LIBUSB_ERROR_INTERRUPTED && rc != LIBUSB_ERROR_TIMEOUT)
        {
          g_debug ("libusb_handle_events: %s", libusb_strerror (rc));
          g_usleep (10000);
        }
    }
  return NULL;
}

static void
ridge_usb_context_finalize (GObject *object)
{
  RidgeUsbContext *self = RIDGE_USB_CONTEXT (object);

  if (self->thread != NULL)
    {
      g_atomic_int_set (&self->stop, 1);
      libusb_interrupt_event_handler (self->ctx);
      g_thread_join (self->thread);
    }
  if (self->ctx != NULL)
    libusb_exit (self->ctx);
  G_OBJECT_CLASS (ridge_usb_context_parent_class)->finalize (object);
}

static void
ridge_usb_context_class_init (RidgeUsbContextClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_usb_context_finalize;
}

static void
ridge_usb_context_init (RidgeUsbContext *self)
{
  (void)self;
}

RidgeUsbContext *
ridge_usb_context_new (GError **error)
{
  g_autoptr (RidgeUsbContext) self = g_object_new (RIDGE_TYPE_USB_CONTEXT, NULL);
  int rc = libusb_init (&self->ctx);

  if (rc != 0)
    {
      self->ctx = NULL;
      g_propagate_error (error, ridge_usb_error_new (rc, "libusb_init"));
      return NULL;
    }
  self->thread = g_thread_new ("ridge-usb-events", event_thread, self);
  return g_steal_pointer (&self);
}

RidgeUsbContext *
ridge_usb_context_get_default (GError **error)
{
  static GMutex lock;
  static RidgeUsbContext *def;
  RidgeUsbContext *ret;

  g_mutex_lock (&lock);
  if (def == NULL)
    def = ridge_usb_context_new (error);
  ret = def;
  g_mutex_unlock (&lock);
  return ret;
}

gpointer
ridge_usb_context_get_libusb (RidgeUsbContext *self)
{
  g_return_val_if_fail (RIDGE_IS_USB_CONTEXT (self), NULL);
  return self->ctx;
}

/* ---- errors --------------------------------------------------------------------------- */

GError *
ridge_usb_error_new (int         libusb_code,
                     const char *what)
{
  switch (libusb_code)
    {
      case LIBUSB_ERROR_ACCESS:
        return ridge_error_new (RIDGE_ERROR_FAILED,
                                "%s: no permission to open the USB device; install %s from the "
                                "Ridge sources in /usr/lib/udev/rules.d/, run "
                                "“udevadm control --reload” and replug the terminal",
                                what, RIDGE_USB_UDEV_RULE);
      case LIBUSB_ERROR_NO_DEVICE:
      case LIBUSB_ERROR_NOT_FOUND:
        return ridge_error_new (RIDGE_ERROR_UNREACHABLE, "%s: the USB device is gone (%s)", what,
                                libusb_strerror (libusb_code));
      case LIBUSB_ERROR_BUSY:
        return ridge_error_new (RIDGE_ERROR_BUSY,
                                "%s: another program has claimed the terminal's USB interface",
                                what);
      case LIBUSB_ERROR_TIMEOUT:
        return ridge_error_new (RIDGE_ERROR_TIMED_OUT, "%s: USB transfer timed out", what);
      default:
        return ridge_error_new (RIDGE_ERROR_FAILED, "%s: %s", what, libusb_strerror (libusb_code));
    }
}

/* ---- enumeration ---------------------------------------------------------------------- */

void
ridge_usb_device_info_free (RidgeUsbDeviceInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->port_path);
  g_free (info->product);
  g_free (info->serial);
  g_free (info);
}

RidgeUsbDeviceInfo *
ridge_usb_device_info_copy (const RidgeUsbDeviceInfo *info)
{
  RidgeUsbDeviceInfo *copy = g_memdup2 (info, sizeof *info);

  copy->port_path = g_strdup (info->port_path);
  copy->product = g_strdup (info->product);
  copy->serial = g_strdup (info->serial);
  return copy;
}

char *
ridge_usb_port_path (libusb_device *dev)
{
  guint8 ports[8];
  int n = libusb_get_port_numbers (dev, ports, G_N_ELEMENTS (ports));
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "%u", libusb_get_bus_number (dev));
  for (int i = 0; i < n; i++)
    g_string_append_printf (s, "%c%u", i == 0 ? '-' : '.', ports[i]);
  if (n <= 0) /* a root hub or a backend without port numbers: bus-address */
    g_string_append_printf (s, "-a%u", libusb_get_device_address (dev));
  return g_string_free (s, FALSE);
}

static char *
read_string (libusb_device_handle *handle,
             guint8                index)
{
  unsigned char buf[256];
  int n;

  if (index == 0)
    return NULL;
  n = libusb_get_string_descriptor_ascii (handle, index, buf, sizeof buf - 1);
  if (n < 0)
    return NULL;
  buf[n] = '\0';
  return g_utf8_make_valid ((const char *)buf, n);
}

RidgeUsbDeviceInfo *
ridge_usb_probe_device (libusb_device *dev,
                        guint16        vid,
                        guint16        pid,
                        gboolean       read_strings)
{
  struct libusb_device_descriptor desc;
  struct libusb_config_descriptor *config = NULL;
  g_autoptr (RidgeUsbDeviceInfo) info = NULL;

  if (vid == 0 && pid == 0)
    {
      vid = RIDGE_USB_VID;
      pid = RIDGE_USB_PID;
    }
  if (libusb_get_device_descriptor (dev, &desc) != 0 || desc.idVendor != vid ||
      desc.idProduct != pid)
    return NULL;
  if (libusb_get_active_config_descriptor (dev, &config) != 0 &&
      libusb_get_config_descriptor (dev, 0, &config) != 0)
    return NULL;

  for (int i = 0; i < config->bNumInterfaces && info == NULL; i++)
    {
      const struct libusb_interface *itf = &config->interface[i];
      const struct libusb_interface_descriptor *alt;
      guint8 ep_in = 0, ep_out = 0;
      guint16 mps = 0;

      if (itf->num_altsetting < 1)
        continue;
      alt = &itf->altsetting[0];
      if (alt->bInterfaceClass != RIDGE_USB_CLASS ||
          alt->bInterfaceSubClass != RIDGE_USB_SUBCLASS ||
          alt->bInterfaceProtocol != RIDGE_USB_PROTOCOL)
        continue;
      for (int e = 0; e < alt->bNumEndpoints; e++)
        {
          const struct libusb_endpoint_descriptor *ep = &alt->endpoint[e];
          if ((ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK)
            continue;
          if ((ep->bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN)
            {
              if (ep_in == 0)
                ep_in = ep->bEndpointAddress;
            }
          else if (ep_out == 0)
            {
              ep_out = ep->bEndpointAddress;
            }
          mps = MAX (mps, ep->wMaxPacketSize & 0x7ff);
        }
      if (ep_in == 0 || ep_out == 0)
        continue;
      info = g_new0 (RidgeUsbDeviceInfo, 1);
      info->bus = libusb_get_bus_number (dev);
      info->address = libusb_get_device_address (dev);
      info->vid = desc.idVendor;
      info->pid = desc.idProduct;
      info->interface_number = alt->bInterfaceNumber;
      info->ep_in = ep_in;
      info->ep_out = ep_out;
      info->max_packet = mps;
      info->port_path = ridge_usb_port_path (dev);
    }
  libusb_free_config_descriptor (config);

  if (info != NULL && read_strings)
    {
      libusb_device_handle *handle = NULL;
      if (libusb_open (dev, &handle) == 0)
        {
          info->product = read_string (handle, desc.iProduct);
          info->serial = read_string (handle, desc.iSerialNumber);
          libusb_close (handle);
        }
    }
  return g_steal_pointer (&info);
}

GPtrArray *
ridge_usb_enumerate (RidgeUsbContext *ctx,
                     guint16          vid,
                     guint16          pid,
                     gboolean         read_strings,
                     GError         **error)
{
  libusb_device **list = NULL;
  ssize_t n;
  GPtrArray *out;

  g_return_val_if_fail (RIDGE_IS_USB_CONTEXT (ctx), NULL);

  n = libusb_get_device_list (ctx->ctx, &list);
  if (n < 0)
    {
      g_propagate_error (error, ridge_usb_error_new ((int)n, "listing USB devices"));
      return NULL;
    }
  out = g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_usb_device_info_free);
  for (ssize_t i = 0; i < n; i++)
    {
      RidgeUsbDeviceInfo *info = ridge_usb_probe_device (list[i], vid, pid, read_strings);
      if (info != NULL)
        g_ptr_array_add (out, info);
    }
  libusb_free_device_list (list, TRUE);
  return out;
}
