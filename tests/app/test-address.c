/* test-address.c — terminal address parsing and normalisation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "ridge-address.h"

static void
test_valid (void)
{
  static const struct {
    const char *in;
    const char *out;
  } cases[] = {
    { "192.168.1.20", "192.168.1.20:7420" },
    { "192.168.1.20:7000", "192.168.1.20:7000" },
    { "  Terminal-3.lan  ", "terminal-3.lan:7420" },
    { "localhost:1", "localhost:1" },
    { "host:65535", "host:65535" },
    { "[::1]:9000", "[::1]:9000" },
    { "[fe80::1]", "[fe80::1]:7420" },
    { "::1", "[::1]:7420" },
    { "2001:db8::7", "[2001:db8::7]:7420" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = ridge_address_normalize (cases[i].in, 7420, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (n, ==, cases[i].out);
    }
}

static void
test_invalid (void)
{
  static const char *cases[] = {
    "", "   ", ":7420", "host:", "host:0", "host:65536", "host:12ab", "host:-1",
    "ho st", "host_name", "-host", "host-", "a..b", "[::1", "[nothost]:7420", "[::1]x",
    "1:2:3:zz", "host:7420:1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = ridge_address_normalize (cases[i], 7420, &error);

      g_assert_null (n);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      /* every refusal is a sentence */
      g_assert_true (g_str_has_suffix (error->message, "."));
    }
}

static void
test_long_host (void)
{
  g_autofree char *long_host = g_strnfill (254, 'a');
  g_autofree char *ok_host = g_strnfill (253, 'a');
  g_autoptr (GError) error = NULL;
  g_autofree char *n = NULL;

  g_assert_null (ridge_address_normalize (long_host, 7420, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  n = ridge_address_normalize (ok_host, 7420, &error);
  g_assert_no_error (error);
  g_assert_nonnull (n);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/address/valid", test_valid);
  g_test_add_func ("/address/invalid", test_invalid);
  g_test_add_func ("/address/long-host", test_long_host);
  return g_test_run ();
}
