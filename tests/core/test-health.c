/* test-health.c — RidgeHealth: USB counters, kernel retransmits per second, CSV columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The older health maths (percentiles, jitter, the ring) are in test-core-units.c.
 */
#include "config.h"

#include <string.h>

#include "ridge-health.h"

#define SEC G_USEC_PER_SEC

/* The CSV's column index of name, or -1. */
static int
csv_column (const char *csv,
            const char *name)
{
  g_autofree char *header = g_strndup (csv, strcspn (csv, "\n"));
  g_auto (GStrv) cols = g_strsplit (header, ",", -1);

  for (guint i = 0; cols[i] != NULL; i++)
    if (g_str_equal (cols[i], name))
      return (int)i;
  return -1;
}

/* Field col of the CSV line for that second. */
static char *
csv_field (const char *csv,
           gint64      second,
           int         col)
{
  g_auto (GStrv) lines = g_strsplit (csv, "\n", -1);
  g_autofree char *prefix = g_strdup_printf ("%" G_GINT64_FORMAT ",", second);

  g_assert_cmpint (col, >=, 0);
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);

        g_assert_cmpuint (g_strv_length (f), >, (guint)col);
        return g_strdup (f[col]);
      }
  g_assert_not_reached ();
  return NULL;
}

static void
test_usb_counters (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  g_autofree char *csv = NULL;
  RidgeHealthSecond s;
  RidgeHealthSummary sum;

  ridge_health_add (h, 20 * SEC, RIDGE_HEALTH_USB_RESETS, 1);
  ridge_health_add (h, 21 * SEC + 10, RIDGE_HEALTH_USB_STALLS, 2);
  ridge_health_add (h, 21 * SEC + 20, RIDGE_HEALTH_USB_STALLS, 1);
  ridge_health_add (h, 22 * SEC, RIDGE_HEALTH_USB_TIMEOUTS, 1);
  ridge_health_add (h, 22 * SEC + 1, RIDGE_HEALTH_USB_ERRORS, 4);
  ridge_health_add (h, 22 * SEC + 2, RIDGE_HEALTH_USB_ERRORS, 0); /* nothing, not a slot */

  g_assert_true (ridge_health_get_second (h, 20, &s));
  g_assert_cmpuint (s.usb_resets, ==, 1);
  g_assert_cmpuint (s.usb_stalls, ==, 0);
  g_assert_true (ridge_health_get_second (h, 21, &s));
  g_assert_cmpuint (s.usb_stalls, ==, 3);
  g_assert_cmpuint (s.usb_resets, ==, 0);
  g_assert_true (ridge_health_get_second (h, 22, &s));
  g_assert_cmpuint (s.usb_timeouts, ==, 1);
  g_assert_cmpuint (s.usb_errors, ==, 4);
  /* TCP counters are untouched */
  g_assert_cmpuint (s.crc_errors, ==, 0);
  g_assert_cmpuint (s.reconnects, ==, 0);

  ridge_health_get_summary (h, &sum);
  g_assert_cmpuint (sum.usb_resets, ==, 1);
  g_assert_cmpuint (sum.usb_stalls, ==, 3);
  g_assert_cmpuint (sum.usb_timeouts, ==, 1);
  g_assert_cmpuint (sum.usb_errors, ==, 4);

  csv = ridge_health_to_csv (h);
  g_assert_cmpint (csv_column (csv, "usb_errors"), >, csv_column (csv, "tcp_lost"));
  {
    g_autofree char *stalls21 = csv_field (csv, 21, csv_column (csv, "usb_stalls"));
    g_autofree char *resets20 = csv_field (csv, 20, csv_column (csv, "usb_resets"));
    g_autofree char *errors22 = csv_field (csv, 22, csv_column (csv, "usb_errors"));
    g_autofree char *timeouts22 = csv_field (csv, 22, csv_column (csv, "usb_timeouts"));
    g_autofree char *timeouts21 = csv_field (csv, 21, csv_column (csv, "usb_timeouts"));

    g_assert_cmpstr (stalls21, ==, "3");
    g_assert_cmpstr (resets20, ==, "1");
    g_assert_cmpstr (errors22, ==, "4");
    g_assert_cmpstr (timeouts22, ==, "1");
    g_assert_cmpstr (timeouts21, ==, "0");
  }

  /* reset forgets them */
  ridge_health_reset (h);
  ridge_health_get_summary (h, &sum);
  g_assert_cmpuint (sum.usb_stalls, ==, 0);
  g_assert_false (ridge_health_get_second (h, 21, &s));
}

static void
test_tcp_retrans_per_second (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  g_autofree char *csv = NULL;
  RidgeHealthSecond s;
  RidgeHealthSummary sum;

  /* a connection that had 2 retransmits at the first sample, then 2, 5, 5 */
  ridge_health_record_tcp_info (h, 100 * SEC, 1000, 100, 2, 0);
  ridge_health_record_tcp_info (h, 101 * SEC, 1000, 100, 2, 0);
  ridge_health_record_tcp_info (h, 102 * SEC, 1000, 100, 5, 1);
  ridge_health_record_tcp_info (h, 103 * SEC, 1000, 100, 5, 0);
  /* a new connection: its own total starts again */
  ridge_health_record_tcp_info (h, 104 * SEC, 1000, 100, 1, 0);
  /* two samples in one second add up; -1 (not sampled) changes nothing */
  ridge_health_record_tcp_info (h, 105 * SEC, 1000, 100, 3, 0);
  ridge_health_record_tcp_info (h, 105 * SEC + 500000, 1000, 100, 4, 0);
  ridge_health_record_tcp_info (h, 106 * SEC, -1, -1, -1, -1);

  {
    const guint want[] = { 2, 0, 3, 0, 1, 3, 0 };

    for (guint i = 0; i < G_N_ELEMENTS (want); i++)
      {
        g_assert_true (ridge_health_get_second (h, 100 + i, &s));
        g_assert_cmpuint (s.tcp_retrans, ==, want[i]);
      }
  }
  g_assert_true (ridge_health_get_second (h, 105, &s));
  g_assert_cmpint (s.tcp_total_retrans, ==, 4);
  ridge_health_get_summary (h, &sum);
  g_assert_cmpuint (sum.tcp_retrans, ==, 2 + 3 + 1 + 3);

  csv = ridge_health_to_csv (h);
  {
    g_autofree char *r102 = csv_field (csv, 102, csv_column (csv, "tcp_retrans"));
    g_autofree char *t102 = csv_field (csv, 102, csv_column (csv, "tcp_total_retrans"));
    g_autofree char *t106 = csv_field (csv, 106, csv_column (csv, "tcp_total_retrans"));

    g_assert_cmpstr (r102, ==, "3");
    g_assert_cmpstr (t102, ==, "5");
    g_assert_cmpstr (t106, ==, ""); /* not measured */
  }
}

/* Every line has as many fields as the header, also for idle seconds inside the ring. */
static void
test_csv_shape (void)
{
  g_autoptr (RidgeHealth) h = ridge_health_new ();
  g_autofree char *csv = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (GStrv) header = NULL;
  guint n_cols;

  ridge_health_record_ping_sent (h, 50 * SEC);
  ridge_health_record_rtt (h, 50 * SEC + 10, 1500);
  ridge_health_add (h, 53 * SEC, RIDGE_HEALTH_USB_STALLS, 1);
  csv = ridge_health_to_csv (h);
  lines = g_strsplit (csv, "\n", -1);
  header = g_strsplit (lines[0], ",", -1);
  n_cols = g_strv_length (header);
  g_assert_cmpuint (n_cols, ==, 26);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 4 + 1); /* header, 50..53, "" */
  for (guint i = 1; i <= 4; i++)
    {
      g_auto (GStrv) f = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (f), ==, n_cols);
    }
  g_assert_cmpstr (lines[5], ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/health/usb-counters", test_usb_counters);
  g_test_add_func ("/health/tcp-retrans-per-second", test_tcp_retrans_per_second);
  g_test_add_func ("/health/csv-shape", test_csv_shape);
  return g_test_run ();
}
