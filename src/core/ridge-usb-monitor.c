/* ridge-usb-monitor.c — Ridge terminals appearing and disappearing on USB
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With libusb hot-plug support (Linux: udev or netlink), the hot-plug callback runs on the
 * RidgeUsbContext's event thread and posts each arrival/departure to the monitor's main
 * context; without it (or when forced) the bus is enumerated periodically and compared
 * with the known list. Either way the list of known devices is only touched on the main
 * context, and the signals are emitted there.
 */
#define G_LOG_DOMAIN "ridge-usb"

#include "config.h"

#include "ridge-usb.h"
#include "ridge-usb-private.h"

struct _RidgeUsbMonitor {
  GObject                        parent_instance;
  RidgeUsbContext               *ctx;
  GMainContext                  *context;
  GPtrArray                     *devices;  /* RidgeUsbDeviceInfo */
  gboolean                       started;
  gboolean                       hotplug;
  libusb_hotplug_callback_handle hotplug_handle;
  GWeakRef                      *hotplug_ref;  /* user data of the hot-plug callback */
  guint poll_id;
  guint initial_id;
};

enum { SIGNAL_DEVICE_ADDED, SIGNAL_DEVICE_REMOVED, N_SIGNALS };
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RidgeUsbMonitor, ridge_usb_monitor, G_TYPE_OBJECT);

static int
find_device (RidgeUsbMonitor *self,
             guint8           bus,
             guint8           address)
{
  for (guint i = 0; i < self->devices->len; i++)
    {
      RidgeUsbDeviceInfo *d = g_ptr_array_index (self->devices, i);
      if (d->bus == bus && d->address == address)
        return (int)i;
    }
  return -1;
}

static void
monitor_add (RidgeUsbMonitor    *self,
             RidgeUsbDeviceInfo *info) /* transfer full */
{
  if (find_device (self, info->bus, info->address) >= 0)
    {
      ridge_usb_device_info_free (info);
      return;
    }
  g_ptr_array_add (self->devices, info);
  g_signal_emit (self, signals[SIGNAL_DEVICE_ADDED], 0, info);
}

static void
monitor_remove (RidgeUsbMonitor *self,
                guint8           bus,
                guint8           address)
{
  int i = find_device (self, bus, address);
  RidgeUsbDeviceInfo *info;

  if (i < 0)
    return;
  info = g_ptr_array_steal_index (self->devices, (guint)i);
  g_signal_emit (self, signals[SIGNAL_DEVICE_REMOVED], 0, info);
  ridge_usb_device_info_free (info);
}

/* Compares a fresh enumeration with the known list. */
static void
monitor_rescan (RidgeUsbMonitor *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) now = ridge_usb_enumerate (self->ctx, 0, 0, TRUE, &error);

  if (now == NULL)
    {
      g_debug ("USB enumeration failed: %s", error->message);
      return;
    }
  for (guint i = self->devices->len; i > 0; i--)
    {
      RidgeUsbDeviceInfo *d = g_ptr_array_index (self->devices, i - 1);
      gboolean present = FALSE;
      for (guint j = 0; j < now->len && !present; j++)
        {
          RidgeUsbDeviceInfo *n = g_ptr_array_index (now, j);
          present = n->bus == d->bus && n->address == d->address;
        }
      if (!present)
        monitor_remove (self, d->bus, d->address);
    }
  for (guint j = 0; j < now->len; j++)
    {
      RidgeUsbDeviceInfo *n = g_ptr_array_index (now, j);
      if (find_device (self, n->bus, n->address) < 0)
        monitor_add (self, ridge_usb_device_info_copy (n));
    }
}

static gboolean
poll_cb (gpointer data)
{
  monitor_rescan (RIDGE_USB_MONITOR (data));
  return G_SOURCE_CONTINUE;
}

static gboolean
initial_cb (gpointer data)
{
  RidgeUsbMonitor *self = RIDGE_USB_MONITOR (data);

  self->initial_id = 0;
  monitor_rescan (self);
  return G_SOURCE_REMOVE;
}

typedef struct {
  GWeakRef      *ref;
  libusb_device *dev;  /* arrivals: to probe with strings on the main context */
  gboolean       arrived;
  guint8         bus;
  guint8         address;
} HotplugEvent;

static void
hotplug_event_free (HotplugEvent *ev)
{
  if (ev->dev != NULL)
    libusb_unref_device (ev->dev);
  g_free (ev);
}

static gboolean
hotplug_dispatch (gpointer data)
{
  HotplugEvent *ev = data;
  g_autoptr (RidgeUsbMonitor) self = g_weak_ref_get (ev->ref);

  if (self == NULL || !self->started)
    return G_SOURCE_REMOVE;
  if (ev->arrived)
    {
      RidgeUsbDeviceInfo *info = ridge_usb_probe_device (ev->dev, 0, 0, TRUE);
      if (info != NULL)
        monitor_add (self, info);
    }
  else
    {
      monitor_remove (self, ev->bus, ev->address);
    }
  return G_SOURCE_REMOVE;
}

/* Runs on the libusb event thread. */
static int LIBUSB_CALL
hotplug_cb (libusb_context      *ctx,
            libusb_device       *dev,
            libusb_hotplug_event event,
            void                *user_data)
{
  GWeakRef *ref = user_data;
  g_autoptr (RidgeUsbMonitor) self = g_weak_ref_get (ref);
  HotplugEvent *ev;

  (void)ctx;
  if (self == NULL)
    return 0;
  ev = g_new0 (HotplugEvent, 1);
  ev->ref = ref;
  ev->arrived = event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED;
  ev->bus = libusb_get_bus_number (dev);
  ev->address = libusb_get_device_address (dev);
  if (ev->arrived)
    ev->dev = libusb_ref_device (dev);
  /* an idle source, not g_main_context_invoke(), which could run it on this thread */
  {
    GSource *idle = g_idle_source_new ();
    g_source_set_callback (idle, hotplug_dispatch, ev, (GDestroyNotify)hotplug_event_free);
    g_source_attach (idle, self->context);
    g_source_unref (idle);
  }
  return 0;
}

gboolean
ridge_usb_monitor_start (RidgeUsbMonitor *self,
                         guint            poll_interval_ms,
                         gboolean         force_polling,
                         GError         **error)
{
  g_return_val_if_fail (RIDGE_IS_USB_MONITOR (self), FALSE);

  if (self->started)
    return TRUE;
  if (!force_polling && libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG))
    {
      int rc = libusb_hotplug_register_callback (ridge_usb_context_get_libusb (self->ctx),
                                                 LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
                                                 LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
                                                 RIDGE_USB_VID, RIDGE_USB_PID,
                                                 LIBUSB_HOTPLUG_MATCH_ANY, hotplug_cb,
                                                 self->hotplug_ref, &self->hotplug_handle);
      if (rc != LIBUSB_SUCCESS)
        {
          g_propagate_error (error, ridge_usb_error_new (rc, "USB hot-plug"));
          return FALSE;
        }
      self->hotplug = TRUE;
    }
  else
    {
      GSource *source = g_timeout_source_new (MAX (poll_interval_ms, 50u));
      g_source_set_callback (source, poll_cb, self, NULL);
      self->poll_id = g_source_attach (source, self->context);
      g_source_unref (source);
    }
  self->started = TRUE;
  /* devices present now: reported from the main loop, after the caller connected */
  {
    GSource *source = g_idle_source_new ();
    g_source_set_callback (source, initial_cb, self, NULL);
    self->initial_id = g_source_attach (source, self->context);
    g_source_unref (source);
  }
  return TRUE;
}

void
ridge_usb_monitor_stop (RidgeUsbMonitor *self)
{
  g_return_if_fail (RIDGE_IS_USB_MONITOR (self));

  if (!self->started)
    return;
  if (self->hotplug)
    libusb_hotplug_deregister_callback (ridge_usb_context_get_libusb (self->ctx),
                                        self->hotplug_handle);
  self->hotplug = FALSE;
  if (self->poll_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (self->context, self->poll_id));
  if (self->initial_id != 0)
    g_source_destroy (g_main_context_find_source_by_id (self->context, self->initial_id));
  self->poll_id = self->initial_id = 0;
  self->started = FALSE;
}

gboolean
ridge_usb_monitor_is_hotplug (RidgeUsbMonitor *self)
{
  g_return_val_if_fail (RIDGE_IS_USB_MONITOR (self), FALSE);
  return self->hotplug;
}

GPtrArray *
ridge_usb_monitor_get_devices (RidgeUsbMonitor *self)
{
  g_return_val_if_fail (RIDGE_IS_USB_MONITOR (self), NULL);
  return self->devices;
}

static void
ridge_usb_monitor_dispose (GObject *object)
{
  RidgeUsbMonitor *self = RIDGE_USB_MONITOR (object);

  ridge_usb_monitor_stop (self);
  G_OBJECT_CLASS (ridge_usb_monitor_parent_class)->dispose (object);
}

static void
ridge_usb_monitor_finalize (GObject *object)
{
  RidgeUsbMonitor *self = RIDGE_USB_MONITOR (object);

  /* hotplug_ref (cleared by GObject now) outlives us on purpose: hot-plug events still
   * queued hold it and find it empty; it is a few bytes per monitor. */
  g_clear_pointer (&self->devices, g_ptr_array_unref);
  g_clear_object (&self->ctx);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (ridge_usb_monitor_parent_class)->finalize (object);
}

static void
ridge_usb_monitor_class_init (RidgeUsbMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ridge_usb_monitor_dispose;
  object_class->finalize = ridge_usb_monitor_finalize;

  signals[SIGNAL_DEVICE_ADDED] =
    g_signal_new ("device-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
  signals[SIGNAL_DEVICE_REMOVED] =
    g_signal_new ("device-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
ridge_usb_monitor_init (RidgeUsbMonitor *self)
{
  self->devices = g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_usb_device_info_free);
  self->context = g_main_context_ref_thread_default ();
  self->hotplug_ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (self->hotplug_ref, self);
}

RidgeUsbMonitor *
ridge_usb_monitor_new (RidgeUsbContext *ctx)
{
  RidgeUsbMonitor *self;

  g_return_val_if_fail (RIDGE_IS_USB_CONTEXT (ctx), NULL);
  self = g_object_new (RIDGE_TYPE_USB_MONITOR, NULL);
  self->ctx = g_object_ref (ctx);
  return self;
}
