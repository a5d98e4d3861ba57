/* ridge-address.c — parse and normalise a terminal address (host:port)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-address"

#include "config.h"

#include "ridge-address.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

/* RFC 1035 limits a host name to 253 characters; an address never needs more. */
#define MAX_HOST_LEN 253

static gboolean
host_is_valid_name (const char *host)
{
  gsize len = strlen (host);

  if (len == 0 || len > MAX_HOST_LEN)
    return FALSE;
  if (host[0] == '-' || host[0] == '.' || host[len - 1] == '-')
    return FALSE;
  for (const char *p = host; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.')
        return FALSE;
      if (p[0] == '.' && p[1] == '.')
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_port (const char *text,
            guint16    *port,
            GError    **error)
{
  guint64 value = 0;

  if (*text == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("The port after the colon is missing."));
      return FALSE;
    }
  if (!g_ascii_string_to_unsigned (text, 10, 1, G_MAXUINT16, &value, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a port number between 1 and 65535."), text);
      return FALSE;
    }
  *port = (guint16)value;
  return TRUE;
}

gboolean
ridge_address_parse (const char *text,
                     guint16     default_port,
                     char      **host,
                     guint16    *port,
                     GError    **error)
{
  g_autofree char *stripped = NULL;
  g_autofree char *h = NULL;
  guint16 p = default_port;
  const char *colon;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (host != NULL && port != NULL, FALSE);

  stripped = g_strstrip (g_strdup (text));
  if (*stripped == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("Enter the terminal’s address, for example 192.168.1.20:7420."));
      return FALSE;
    }

  if (stripped[0] == '[')
    {
      const char *end = strchr (stripped, ']');

      if (end == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("The closing bracket “]” of the IPv6 address is missing."));
          return FALSE;
        }
      h = g_strndup (stripped + 1, end - stripped - 1);
      if (!g_hostname_is_ip_address (h) || strchr (h, ':') == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” is not a valid IPv6 address."), h);
          return FALSE;
        }
      if (end[1] == ':')
        {
          if (!parse_port (end + 2, &p, error))
            return FALSE;
        }
      else if (end[1] != '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("Only a colon and a port may follow the IPv6 address."));
          return FALSE;
        }
    }
  else if ((colon = strchr (stripped, ':')) != NULL && strchr (colon + 1, ':') != NULL)
    {
      /* Several colons and no brackets: a bare IPv6 address, default port. */
      if (!g_hostname_is_ip_address (stripped))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” is not a valid address. Write an IPv6 address with a port as "
                          "[address]:port."), stripped);
          return FALSE;
        }
      h = g_strdup (stripped);
    }
  else
    {
      if (colon != NULL)
        {
          h = g_strndup (stripped, colon - stripped);
          if (!parse_port (colon + 1, &p, error))
            return FALSE;
        }
      else
        {
          h = g_strdup (stripped);
        }
      if (*h == '\0')
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _ ("The host name before the colon is missing."));
          return FALSE;
        }
      if (!host_is_valid_name (h))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” is not a valid host name or IP address."), h);
          return FALSE;
        }
      {
        char *lower = g_ascii_strdown (h, -1);

        g_free (h);
        h = lower;
      }
    }

  if (p == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("The port must be between 1 and 65535."));
      return FALSE;
    }

  *host = g_steal_pointer (&h);
  *port = p;
  return TRUE;
}

gboolean
ridge_address_is_usb (const char *text)
{
  return text != NULL && g_ascii_strncasecmp (text, "usb:", 4) == 0;
}

/* "1-2.3": bus, dash, then 1 … 7 port numbers separated by dots (USB allows 7 tiers). */
static gboolean
usb_port_path_is_valid (const char *text)
{
  g_auto (GStrv) ports = NULL;
  const char *dash = strchr (text, '-');
  guint64 v;

  if (dash == NULL || dash == text)
    return FALSE;
  {
    g_autofree char *bus = g_strndup (text, dash - text);

    if (!g_ascii_string_to_unsigned (bus, 10, 1, 255, &v, NULL))
      return FALSE;
  }
  ports = g_strsplit (dash + 1, ".", -1);
  if (g_strv_length (ports) < 1 || g_strv_length (ports) > 7)
    return FALSE;
  for (guint i = 0; ports[i] != NULL; i++)
    if (!g_ascii_string_to_unsigned (ports[i], 10, 1, 255, &v, NULL))
      return FALSE;
  return TRUE;
}

/* "001:004" (decimal bus:address) or "1209:5247" (hex VID:PID): two fields of 1 … 4
 * digits. */
static gboolean
usb_pair_is_valid (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, ":", -1);
  guint64 v;

  if (g_strv_length (parts) != 2)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      gsize len = strlen (parts[i]);

      if (len < 1 || len > 4 || !g_ascii_string_to_unsigned (parts[i], 16, 0, 0xffff, &v, NULL))
        return FALSE;
    }
  return TRUE;
}

static char *
normalize_usb (const char *text,
               GError    **error)
{
  const char *rest = text + 4;

  if (strlen (text) > 64)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           _ ("This USB address is too long."));
      return NULL;
    }
  if (*rest == '\0' || usb_port_path_is_valid (rest) || usb_pair_is_valid (rest))
    return g_strconcat ("usb:", rest, NULL);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a USB address. Write usb: for the first terminal on USB, "
                  "usb:1-2.3 for a bus port, usb:BUS:ADDRESS or usb:VID:PID."), text);
  return NULL;
}

char *
ridge_address_normalize (const char *text,
                         guint16     default_port,
                         GError    **error)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  if (text != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (text));

      if (ridge_address_is_usb (stripped))
        return normalize_usb (stripped, error);
    }
  if (!ridge_address_parse (text, default_port, &host, &port, error))
    return NULL;
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", host, port);
  return g_strdup_printf ("%s:%u", host, port);
}
