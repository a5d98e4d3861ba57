/* ridgectl-diag.c — diag: selftest, params, set, counters, log, time, sync-time
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"

#include <stdio.h>
#include <string.h>

/* ---- diag ----------------------------------------------------------------------------- */

static void
params_output (Ctl                   *ctl,
               const RidgeWireParams *p)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint32 cursor = 0;
  RidgeWireParam prm;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "params");
  json_builder_begin_array (b);
  if (!ctl->json)
    g_print ("%4s  %-16s %10s %10s %10s\n", "ID", "NAME", "VALUE", "MIN", "MAX");
  for (guint i = 0; i < p->n && ridge_wire_params_next (p, &cursor, &prm) == RIDGE_WIRE_OK; i++)
    {
      g_autofree char *name = ridge_wire_str_dup (prm.name);

      if (!ctl->json)
        g_print ("%4u  %-16s %10d %10d %10d\n", prm.id, name, prm.value, prm.min, prm.max);
      json_builder_begin_object (b);
      J_INT (b, "id", prm.id);
      J_STR (b, "name", name);
      J_INT (b, "value", prm.value);
      J_INT (b, "min", prm.min);
      J_INT (b, "max", prm.max);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  if (ctl->json)
    ctl_print_json (b);
}

static char *
format_unix_us (gint64 unix_us)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (unix_us / G_USEC_PER_SEC);

  if (dt == NULL)
    return g_strdup ("(out of range)");
  return g_date_time_format_iso8601 (dt);
}

static int
diag_time (Ctl     *ctl,
           gboolean set)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  g_autofree char *iso = NULL;
  RidgeWireMsg m = { 0 }, r;
  gint64 before = g_get_real_time (), after, offset;

  m.time.unix_us = before;
  reply = ctl_request (ctl, set ? RIDGE_MSG_TIME_SET : RIDGE_MSG_TIME_GET, set ? &m : NULL, 0,
                       &r, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  after = g_get_real_time ();
  /* the terminal read its clock about half-way through the exchange */
  offset = r.time.unix_us - (before + after) / 2;
  iso = format_unix_us (r.time.unix_us);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "unix_us", r.time.unix_us);
      J_STR (b, "iso8601", iso);
      J_INT (b, "offset_us", offset);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("%sTerminal time %s (%+.3f s from this computer)\n", set ? "Clock set. " : "", iso,
             (double)offset / G_USEC_PER_SEC);
  return EXIT_OK;
}

int
ctl_cmd_diag (Ctl   *ctl,
              int    argc,
              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg r;
  const char *sub;
  int rc;

  if (!ctl_parse_options (ctl, "selftest|params|set PARAM VALUE|counters|log|time|sync-time|reboot",
                          "Diagnostics.", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc < 2)
    return ctl_usage (ctl, "diag needs a subcommand: selftest, params, set, counters, log, "
                           "time, sync-time, reboot");
  sub = argv[1];
  if (!g_str_equal (sub, "set") && argc != 2)
    return ctl_usage (ctl, "diag %s takes no arguments", sub);
  if (g_str_equal (sub, "set") && argc != 4)
    return ctl_usage (ctl, "diag set needs PARAM VALUE");
  if (!g_strv_contains ((const char *const[]) { "selftest", "params", "set", "counters", "log",
                                                "time", "sync-time", "reboot", NULL }, sub))
    return ctl_usage (ctl, "unknown diag subcommand “%s”", sub);
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  if (g_str_equal (sub, "selftest"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      guint32 cursor = 0;
      RidgeWireCheck c;

      reply = ctl_request (ctl, RIDGE_MSG_SELFTEST, NULL, 30000, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      json_builder_begin_object (b);
      J_BOOL (b, "passed", r.selftest.passed != 0);
      json_builder_set_member_name (b, "checks");
      json_builder_begin_array (b);
      for (guint i = 0; i < r.selftest.n
           && ridge_wire_selftest_next (&r.selftest, &cursor, &c) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (c.name);
          g_autofree char *detail = ridge_wire_str_dup (c.detail);

          if (!ctl->json)
            g_print ("%-6s %-16s %s\n", c.passed ? "ok" : "FAIL", name, detail);
          json_builder_begin_object (b);
          J_STR (b, "name", name);
          J_BOOL (b, "passed", c.passed != 0);
          J_STR (b, "detail", detail);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      if (ctl->json)
        ctl_print_json (b);
      else
        g_print ("Self-test %s\n", r.selftest.passed ? "passed" : "FAILED");
      return r.selftest.passed ? EXIT_OK : EXIT_TERMINAL;
    }

  if (g_str_equal (sub, "params"))
    {
      reply = ctl_request (ctl, RIDGE_MSG_PARAM_GET, NULL, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      params_output (ctl, &r.params);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "set"))
    {
      g_autoptr (RidgeMessage) plist = NULL;
      RidgeWireMsg m = { 0 };
      RidgeWireParam prm;
      guint32 cursor = 0;
      gint64 value;
      gboolean found = FALSE;

      if (!g_ascii_string_to_signed (argv[3], 10, G_MININT32, G_MAXINT32, &value, NULL))
        return ctl_usage (ctl, "“%s” is not an integer value", argv[3]);
      plist = ctl_request (ctl, RIDGE_MSG_PARAM_GET, NULL, 0, &r, &error);
      if (plist == NULL)
        return ctl_fail (ctl, error);
      for (guint i = 0; i < r.params.n && !found
           && ridge_wire_params_next (&r.params, &cursor, &prm) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (prm.name);
          g_autofree char *idtext = g_strdup_printf ("%u", prm.id);

          if (g_ascii_strcasecmp (name, argv[2]) == 0 || g_str_equal (idtext, argv[2]))
            {
              found = TRUE;
              m.param_set.id = prm.id;
            }
        }
      if (!found)
        {
          /* not ridge_error_new: its sentence for NOT_FOUND speaks of a record */
          g_autoptr (GError) nf = g_error_new (RIDGE_ERROR, RIDGE_ERROR_NOT_FOUND,
                                               "The terminal has no parameter “%s” (see "
                                               "ridgectl diag params)", argv[2]);

          return ctl_fail (ctl, nf);
        }
      m.param_set.value = (int32_t)value;
      reply = ctl_request (ctl, RIDGE_MSG_PARAM_SET, &m, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      params_output (ctl, &r.params);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "counters"))
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      guint32 cursor = 0;
      RidgeWireCounter c;

      reply = ctl_request (ctl, RIDGE_MSG_COUNTERS, NULL, 0, &r, &error);
      if (reply == NULL)
        return ctl_fail (ctl, error);
      json_builder_begin_object (b);
      for (guint i = 0; i < r.counters.n
           && ridge_wire_counters_next (&r.counters, &cursor, &c) == RIDGE_WIRE_OK; i++)
        {
          g_autofree char *name = ridge_wire_str_dup (c.name);

          if (!ctl->json)
            g_print ("%-24s %" G_GUINT64_FORMAT "\n", name, c.value);
          J_INT (b, name, c.value);
        }
      json_builder_end_object (b);
      if (ctl->json)
        ctl_print_json (b);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "log"))
    {
      g_autoptr (GString) text = g_string_new (NULL);
      guint32 offset = 0, start = 0, total = 0;
      gboolean first = TRUE;

      for (guint rounds = 0; rounds < 10000; rounds++)
        {
          g_autoptr (RidgeMessage) chunk = NULL;
          RidgeWireMsg m = { 0 };

          m.log_fetch.offset = offset;
          m.log_fetch.max = 16384;
          chunk = ctl_request (ctl, RIDGE_MSG_LOG_FETCH, &m, 0, &r, &error);
          if (chunk == NULL)
            return ctl_fail (ctl, error);
          if (first)
            start = r.log.offset;
          first = FALSE;
          total = r.log.total;
          g_string_append_len (text, r.log.text.ptr, r.log.text.len);
          offset = r.log.offset + r.log.text.len;
          if (r.log.text.len == 0 || offset >= total)
            break;
        }
      if (ctl->json)
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          g_autofree char *valid = g_utf8_make_valid (text->str, (gssize)text->len);

          json_builder_begin_object (b);
          J_INT (b, "offset", start);
          J_INT (b, "total", total);
          J_STR (b, "text", valid);
          json_builder_end_object (b);
          ctl_print_json (b);
        }
      else
        fwrite (text->str, 1, text->len, stdout);
      return EXIT_OK;
    }

  if (g_str_equal (sub, "time") || g_str_equal (sub, "sync-time"))
    return diag_time (ctl, g_str_equal (sub, "sync-time"));

  /* reboot */
  reply = ctl_request (ctl, RIDGE_MSG_REBOOT, NULL, 0, NULL, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_BOOL (b, "rebooting", TRUE);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("The terminal is rebooting.\n");
  return EXIT_OK;
}
