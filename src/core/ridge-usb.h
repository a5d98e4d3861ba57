/* ridge-usb.h — the Ridge link over USB bulk endpoints (libusb-1.0), docs/protocol.md §18
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeUsbContext owns a libusb context and the thread that handles its events; transfer
 * results are handed to the GMainContext of whoever started them. RidgeUsbConnector is the
 * RidgeConnector of one terminal on USB: its GIOStream reads and writes through queued
 * asynchronous bulk transfers. RidgeUsbMonitor reports terminals as they are plugged in
 * and out (libusb hot-plug, or periodic enumeration where hot-plug is not supported).
 */
#pragma once

#include <gio/gio.h>

#include "ridge-connector.h"
#include "ridge-health.h"

G_BEGIN_DECLS

#define RIDGE_USB_VID              0x1209u /* pid.codes */
#define RIDGE_USB_PID              0x5247u /* "RG" */
#define RIDGE_USB_CLASS            0xffu   /* vendor specific */
#define RIDGE_USB_SUBCLASS         0x52u   /* 'R' */
#define RIDGE_USB_PROTOCOL         0x01u   /* transport version 1 */
#define RIDGE_USB_UDEV_RULE        "data/60-ridge-terminal.rules"
#define RIDGE_USB_OUT_TIMEOUT_MS   5000u
#define RIDGE_USB_IN_TRANSFER_SIZE 16384u
#define RIDGE_USB_IN_TRANSFERS     2u
#define RIDGE_USB_MAX_STALLS       3u

/* ---- RidgeUsbContext ---------------------------------------------------------------- */

#define RIDGE_TYPE_USB_CONTEXT (ridge_usb_context_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbContext, ridge_usb_context, RIDGE, USB_CONTEXT, GObject)

/* A new libusb context with its event thread. */
RidgeUsbContext *ridge_usb_context_new (GError **error);
/* The process-wide context, created at the first call (NULL with error if libusb fails). */
RidgeUsbContext *ridge_usb_context_get_default (GError **error);
/* The libusb_context * (typed gpointer so that this header needs no libusb.h). */
gpointer         ridge_usb_context_get_libusb (RidgeUsbContext *self);

/* One Ridge terminal found on the bus. */
typedef struct {
  guint8  bus;
  guint8  address;
  guint16 vid;
  guint16 pid;
  guint8  interface_number;
  guint8  ep_in;
  guint8  ep_out;
  guint16 max_packet;
  char   *port_path;  /* "1-2.3" */
  char   *product;    /* iProduct, NULL when it could not be read */
  char   *serial;     /* iSerialNumber, NULL when absent */
} RidgeUsbDeviceInfo;

void                ridge_usb_device_info_free (RidgeUsbDeviceInfo *info);
RidgeUsbDeviceInfo *ridge_usb_device_info_copy (const RidgeUsbDeviceInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeUsbDeviceInfo, ridge_usb_device_info_free)

/* Lists the Ridge terminals (vid:pid and the FF/52/01 interface) currently on the bus;
 * reading the strings needs the device to be openable, else they stay NULL.
 * Returns a GPtrArray of RidgeUsbDeviceInfo. */
GPtrArray *ridge_usb_enumerate (RidgeUsbContext * ctx,
                                guint16 vid,
                                guint16 pid,
                                gboolean read_strings,
                                GError         **error);

/* A libusb error code as a GError (RIDGE_ERROR); ACCESS names the udev rule. */
GError *ridge_usb_error_new (int         libusb_code,
                             const char *what);

/* ---- RidgeUsbConnector --------------------------------------------------------------- */

typedef struct {
  guint64 transfers_in;
  guint64 transfers_out;
  guint64 bytes_in;
  guint64 bytes_out;
  guint64 errors;    /* transfers that failed (not counting cancels) */
  guint64 timeouts;  /* OUT transfers that timed out */
  guint64 stalls;    /* STALLs seen (each followed by CLEAR_HALT) */
  guint64 resets;    /* link resets: SET_INTERFACE + CLEAR_HALT at every open */
  guint64 unplugs;   /* links that ended with "no device" */
  guint64 opens;
} RidgeUsbCounters;

#define RIDGE_TYPE_USB_CONNECTOR (ridge_usb_connector_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbConnector, ridge_usb_connector, RIDGE, USB_CONNECTOR, GObject)

/* Connects to the first terminal with vid:pid (0:0 = the Ridge defaults) and the Ridge
 * interface; ridge_usb_connector_set_location narrows it to one bus port. */
RidgeUsbConnector *ridge_usb_connector_new (RidgeUsbContext * ctx,
                                            guint16 vid,
                                            guint16 pid);
/* "usb:1-2.3" (port path, stable across replug), "usb:BUS:ADDR" or "usb:VID:PID" (hex). */
RidgeUsbConnector *ridge_usb_connector_new_for_address (RidgeUsbContext *ctx,
                                                        const char      *address,
                                                        GError         **error);
/* Port path ("1-2.3") to stick to; NULL = any. */
void               ridge_usb_connector_set_port_path (RidgeUsbConnector *self,
                                                      const char        *port_path);
void               ridge_usb_connector_get_counters (RidgeUsbConnector *self,
                                                     RidgeUsbCounters  *out);
/* From now on, transfer errors, OUT timeouts, stalls and link resets are added to health
 * (RIDGE_HEALTH_USB_*) on the calling thread's main context, as they happen; NULL stops.
 * RidgeSession does this for its own RidgeHealth when given a USB connector. */
void               ridge_usb_connector_set_health (RidgeUsbConnector *self,
                                                   RidgeHealth       *health);
/* The device of the last successful connect (NULL before). */
const RidgeUsbDeviceInfo *ridge_usb_connector_get_device (RidgeUsbConnector *self);

/* ---- RidgeUsbMonitor ----------------------------------------------------------------- */

#define RIDGE_TYPE_USB_MONITOR (ridge_usb_monitor_get_type ())
G_DECLARE_FINAL_TYPE (RidgeUsbMonitor, ridge_usb_monitor, RIDGE, USB_MONITOR, GObject)

/* Signals "device-added" and "device-removed" (const RidgeUsbDeviceInfo *, valid during
 * the emission), emitted on the thread-default main context of the caller of _new().
 * Devices present at start are reported as added from the main loop after _start(). */
RidgeUsbMonitor *ridge_usb_monitor_new (RidgeUsbContext * ctx);
/* poll_interval_ms: enumeration period when libusb has no hot-plug support, or always
 * when force_polling is set (for tests and odd platforms). */
gboolean         ridge_usb_monitor_start (RidgeUsbMonitor *self,
                                          guint            poll_interval_ms,
                                          gboolean         force_polling,
                                          GError         **error);
void             ridge_usb_monitor_stop (RidgeUsbMonitor *self);
gboolean         ridge_usb_monitor_is_hotplug (RidgeUsbMonitor *self);
/* Devices known right now (RidgeUsbDeviceInfo, owned by the monitor). */
GPtrArray       *ridge_usb_monitor_get_devices (RidgeUsbMonitor *self);

G_END_DECLS
