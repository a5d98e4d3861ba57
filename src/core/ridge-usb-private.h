/* ridge-usb-private.h — internals shared by ridge-usb*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libusb.h>

#include "ridge-usb.h"

G_BEGIN_DECLS

/* NULL unless dev is vid:pid (0:0 = Ridge defaults) with the Ridge interface. */
RidgeUsbDeviceInfo *ridge_usb_probe_device (libusb_device *dev,
                                            guint16        vid,
                                            guint16        pid,
                                            gboolean       read_strings);
char               *ridge_usb_port_path (libusb_device *dev);

G_END_DECLS
