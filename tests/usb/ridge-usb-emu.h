/* ridge-usb-emu.h — a Ridge terminal on an emulated USB bus (umockdev), for tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeUsbEmu adds a 1209:5247 device with the Ridge interface (FF/52/01, bulk 0x81/0x01,
 * 512-byte packets) to a UMockdevTestbed and answers the usbdevfs ioctls libusb issues on
 * its device node. Bulk OUT payloads go to a TCP connection to a real ridge-terminal; the
 * terminal's bytes complete the queued bulk IN URBs. SET_INTERFACE is the link reset of
 * docs/protocol.md §18.4 (a new TCP connection). The process must run under the umockdev
 * preload library; the testbed lives in this process.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _RidgeUsbEmu RidgeUsbEmu;

/* terminal_address: "127.0.0.1:PORT" of a running ridge-terminal. */
RidgeUsbEmu *ridge_usb_emu_new (const char *terminal_address);
void         ridge_usb_emu_free (RidgeUsbEmu *emu);
/* Plugs the device in (new device address each time, same port "1-2"); sends "add". */
void         ridge_usb_emu_plug (RidgeUsbEmu *emu);
/* Unplugs: flying URBs end with ESHUTDOWN, the node answers ENODEV; sends "remove". */
void         ridge_usb_emu_unplug (RidgeUsbEmu *emu);
/* The next n bulk IN URBs complete with a stall (EPIPE) instead of data. */
void         ridge_usb_emu_stall_in (RidgeUsbEmu *emu,
                                     guint        n);
/* The next n bulk OUT URBs end with a stall (EPIPE); their bytes are lost. */
void         ridge_usb_emu_stall_out (RidgeUsbEmu *emu,
                                      guint        n);
/* While set, bulk OUT URBs are never accepted (the host's transfer timeout must act). */
void         ridge_usb_emu_hang_out (RidgeUsbEmu *emu,
                                     gboolean     hang);

typedef struct {
  guint64 bytes_out;   /* host → terminal */
  guint64 bytes_in;    /* terminal → host */
  guint   urbs_out;
  guint   urbs_in;
  guint   clear_halts;
  guint   link_resets; /* SET_INTERFACE */
  guint   discards;
  guint   control;     /* control URBs answered (string descriptors) */
} RidgeUsbEmuStats;

void         ridge_usb_emu_get_stats (RidgeUsbEmu      *emu,
                                      RidgeUsbEmuStats *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeUsbEmu, ridge_usb_emu_free)

G_END_DECLS
