/* ridge-address.h — parse and normalise a terminal address (host:port)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses "host", "host:port", "[ipv6]:port" or a bare IPv6 address. A missing port
 * means default_port. On success returns TRUE and sets *host (newly allocated, without
 * brackets) and *port. On failure sets a G_IO_ERROR_INVALID_ARGUMENT error whose message
 * is a sentence the user can act on. */
gboolean ridge_address_parse (const char *text,
                              guint16     default_port,
                              char      **host,
                              guint16    *port,
                              GError    **error);

/* TRUE when text is a USB address ("usb:…"; see docs/usb.md). */
gboolean ridge_address_is_usb (const char *text);

/* The canonical form stored in the settings: "host:port", "[v6]:port", or a USB address
 * as given: "usb:" (the first terminal on USB), "usb:1-2.3" (bus port path), "usb:BUS:ADDR"
 * (decimal) or "usb:VID:PID" (hex). NULL if invalid. */
char    *ridge_address_normalize (const char *text,
                                  guint16     default_port,
                                  GError    **error);

G_END_DECLS
