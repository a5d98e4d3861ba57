/* ridgectl-templates.c — enroll, list, delete, rename, verify, identify
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridgectl"

#include "config.h"

#include "ridgectl.h"

#include <stdio.h>
#include <string.h>

static gboolean
is_linked_state (Ctl *ctl)
{
  RidgeSessionState st = ridge_session_get_state (ctl->session);

  return st == RIDGE_SESSION_READY || st == RIDGE_SESSION_DEGRADED;
}

/* ---- enroll --------------------------------------------------------------------------- */

typedef struct {
  Ctl         *ctl;
  guint32      enroll_id;
  guint        wanted;
  guint        accepted;
  gboolean     timed_out;
  JsonBuilder *attempts;
} Enroll;

static const char *
sample_status_text (guint8 status)
{
  switch (status)
    {
      case RIDGE_SAMPLE_ACCEPTED: return "accepted";
      case RIDGE_SAMPLE_LOW_QUALITY: return
          "rejected: image quality too low, place the finger again";
      case RIDGE_SAMPLE_TOO_FEW_MINUTIAE: return "rejected: too few features, press flatter";
      case RIDGE_SAMPLE_MISMATCH: return "rejected: does not match the earlier samples, "
                                         "use the same finger";
      case RIDGE_SAMPLE_TIMEOUT: return "no finger placed in time";
      case RIDGE_SAMPLE_LIFT_FINGER: return "lift the finger, then place it again";
      default: return "unknown status";
    }
}

static const char *
sample_status_nick (guint8 status)
{
  static const char *const nicks[] = {
    "accepted", "low_quality", "too_few_minutiae", "mismatch", "timeout", "lift_finger",
  };

  return status < G_N_ELEMENTS (nicks) ? nicks[status] : "unknown";
}

static void
on_enroll_sample (RidgeSession *session,
                  RidgeMessage *msg,
                  Enroll       *e)
{
  RidgeWireMsg m;

  if (!ridge_message_decode (msg, &m, NULL) || m.enroll_sample.enroll_id != e->enroll_id)
    return;
  e->accepted = m.enroll_sample.accepted;
  if (m.enroll_sample.status == RIDGE_SAMPLE_TIMEOUT)
    e->timed_out = TRUE;
  if (!e->ctl->json)
    g_print ("Sample %u of %u: %s (quality %u) — %u accepted\n", m.enroll_sample.index + 1,
             m.enroll_sample.samples, sample_status_text (m.enroll_sample.status),
             m.enroll_sample.quality, m.enroll_sample.accepted);
  json_builder_begin_object (e->attempts);
  J_INT (e->attempts, "index", m.enroll_sample.index);
  J_STR (e->attempts, "status", sample_status_nick (m.enroll_sample.status));
  J_INT (e->attempts, "quality", m.enroll_sample.quality);
  J_INT (e->attempts, "accepted", m.enroll_sample.accepted);
  json_builder_end_object (e->attempts);
}

static void
template_info_json (JsonBuilder                 *b,
                    const RidgeWireTemplateInfo *t)
{
  g_autofree char *user = ridge_wire_str_dup (t->user_id);
  g_autofree char *name = ridge_wire_str_dup (t->name);
  static const char *const formats[] = { "native", "iso19794-2", "ansi378" };

  J_INT (b, "id", t->id);
  J_STR (b, "user_id", user);
  J_STR (b, "name", name);
  J_INT (b, "finger", t->finger);
  J_STR (b, "finger_name", ctl_finger_name (t->finger));
  J_INT (b, "samples", t->samples);
  J_INT (b, "quality", t->quality);
  J_STR (b, "format", t->format < G_N_ELEMENTS (formats) ? formats[t->format] : "unknown");
  J_INT (b, "created_unix_ms", t->created_unix_ms);
  J_INT (b, "updated_unix_ms", t->updated_unix_ms);
  J_INT (b, "size", t->size);
}

static void
enroll_cancel (Ctl *ctl)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (RidgeMessage) reply = NULL;

  ridge_session_request_async (ctl->session, RIDGE_MSG_ENROLL_CANCEL, NULL, 0, NULL,
                               ctl_store_result, &res);
  reply = ridge_session_request_finish (ctl->session, ctl_wait (&res), NULL);
}

int
ctl_cmd_enroll (Ctl   *ctl,
                int    argc,
                char **argv)
{
  int samples = 3, sample_timeout = 0;
  char *name = NULL;
  gboolean allow_dup = FALSE;
  GOptionEntry entries[] = {
    { "samples", 'n', 0, G_OPTION_ARG_INT, &samples, "Samples to take (1 … 16, default 3)",
      "N" },
    { "name", 0, 0, G_OPTION_ARG_STRING, &name, "Display name of the record", "NAME" },
    { "allow-duplicate", 0, 0, G_OPTION_ARG_NONE, &allow_dup,
      "Store even when the finger is already enrolled", NULL },
    { "sample-timeout", 0, 0, G_OPTION_ARG_INT, &sample_timeout,
      "Per-sample wait for a finger (default: the terminal's)", "MS" },
    { NULL }
  };
  g_autofree char *display = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  g_autoptr (JsonBuilder) attempts = json_builder_new ();
  Enroll e = { ctl, 0, 0, 0, FALSE, attempts };
  RidgeWireMsg m = { 0 }, r;
  guint8 finger;
  gulong handler;
  gint64 deadline;
  int rc;

  if (!ctl_parse_options (ctl, "USER FINGER", "Enrolls a finger, showing each sample.", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  display = name;
  if (argc != 3)
    return ctl_usage (ctl, "enroll needs USER and FINGER");
  if (argv[1][0] == '\0' || strlen (argv[1]) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "USER must be 1 … 255 bytes");
  if (!ctl_parse_finger (argv[2], &finger))
    return ctl_usage (ctl, "“%s” is not a finger (0-10 or e.g. right-index)", argv[2]);
  if (samples < 1 || samples > 16 || sample_timeout < 0)
    return ctl_usage (ctl, "--samples must be 1 … 16");
  if (display != NULL && strlen (display) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "--name must be at most 255 bytes");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  json_builder_begin_array (attempts);
  handler = g_signal_connect (ctl->session, "enroll-sample", G_CALLBACK (on_enroll_sample), &e);

  m.enroll_begin.user_id.ptr = argv[1];
  m.enroll_begin.user_id.len = (uint16_t)strlen (argv[1]);
  m.enroll_begin.finger = finger;
  m.enroll_begin.samples = (uint8_t)samples;
  m.enroll_begin.timeout_ms = (uint32_t)sample_timeout;
  reply = ctl_request (ctl, RIDGE_MSG_ENROLL_BEGIN, &m, 0, &r, &error);
  if (reply == NULL)
    {
      g_signal_handler_disconnect (ctl->session, handler);
      return ctl_fail (ctl, error);
    }
  e.enroll_id = r.enroll_begun.enroll_id;
  e.wanted = (guint)samples;
  if (!ctl->json)
    g_print ("Enrolling %s, %s: place the finger on the sensor (%d samples)…\n", argv[1],
             ctl_finger_name (finger), samples);

  /* each sample may wait for the terminal's per-sample timeout; stop after a generous bound */
  deadline = g_get_monotonic_time ()
             + (gint64)samples * ((sample_timeout ? sample_timeout : 30000) + 30000) * 1000;
  while (e.accepted < e.wanted && !e.timed_out && !ctl->interrupted
         && g_get_monotonic_time () < deadline
         && ridge_session_get_state (ctl->session) != RIDGE_SESSION_LOST
         && ridge_session_get_state (ctl->session) != RIDGE_SESSION_CLOSED)
    ctl_spin_ms (ctl, 100);
  g_signal_handler_disconnect (ctl->session, handler);

  if (e.accepted < e.wanted)
    {
      g_autoptr (GError) why = NULL;

      if (ctl->interrupted)
        why = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Enrollment interrupted");
      else if (e.timed_out || g_get_monotonic_time () >= deadline)
        why = ridge_error_new (RIDGE_ERROR_NO_FINGER, "enrollment cancelled after %u of %u "
                                                      "samples", e.accepted, e.wanted);
      else
        why = ridge_error_new (RIDGE_ERROR_CONNECTION_LOST, NULL);
      if (is_linked_state (ctl))
        enroll_cancel (ctl);
      return ctl_fail (ctl, why);
    }

  memset (&m, 0, sizeof m);
  m.enroll_commit.enroll_id = e.enroll_id;
  m.enroll_commit.flags = allow_dup ? RIDGE_COMMIT_ALLOW_DUPLICATE : 0;
  m.enroll_commit.name.ptr = display ? display : "";
  m.enroll_commit.name.len = (uint16_t)(display ? strlen (display) : 0);
  g_clear_pointer (&reply, ridge_message_unref);
  reply = ctl_request (ctl, RIDGE_MSG_ENROLL_COMMIT, &m, 10000, &r, &error);
  if (reply == NULL)
    {
      enroll_cancel (ctl);
      return ctl_fail (ctl, error);
    }

  json_builder_end_array (attempts);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      template_info_json (b, &r.template_info);
      json_builder_set_member_name (b, "attempts");
      json_builder_add_value (b, json_builder_get_root (attempts));
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *user = ridge_wire_str_dup (r.template_info.user_id);

      g_print ("Enrolled template %u for %s, %s (%u samples, quality %u)\n", r.template_info.id,
               user, ctl_finger_name (r.template_info.finger), r.template_info.samples,
               r.template_info.quality);
    }
  return EXIT_OK;
}

/* ---- template store ------------------------------------------------------------------- */

/* Reads every TEMPLATE_INFO (paged). Returns a GPtrArray of RidgeMessage (the pages) and
 * fills infos with pointers into them. */
static GPtrArray *
list_all (Ctl     *ctl,
          GArray  *infos,
          guint32 *total_out,
          GError **error)
{
  g_autoptr (GPtrArray) pages = g_ptr_array_new_with_free_func ((GDestroyNotify)
                                                                ridge_message_unref);
  guint32 offset = 0, total = 0;

  do
    {
      RidgeWireMsg m = { 0 }, r;
      RidgeMessage *reply;
      RidgeWireTemplateInfo info;
      guint32 cursor = 0;
      int res;

      m.tpl_list.offset = offset;
      m.tpl_list.max = RIDGE_WIRE_MAX_LIST;
      reply = ctl_request (ctl, RIDGE_MSG_TPL_LIST, &m, 0, &r, error);
      if (reply == NULL)
        return NULL;
      g_ptr_array_add (pages, reply);
      total = r.tpl_list_result.total;
      for (guint i = 0; i < r.tpl_list_result.n; i++)
        {
          res = ridge_wire_tpl_list_next (&r.tpl_list_result, &cursor, &info);
          if (res != RIDGE_WIRE_OK)
            {
              ridge_set_error (error, RIDGE_ERROR_PROTOCOL, "template list: %s",
                               ridge_wire_strerror (res));
              return NULL;
            }
          g_array_append_val (infos, info);
        }
      if (r.tpl_list_result.n == 0)
        break;
      offset += r.tpl_list_result.n;
    }
  while (offset < total && offset < 1000000);
  *total_out = total;
  return g_steal_pointer (&pages);
}

int
ctl_cmd_list (Ctl   *ctl,
              int    argc,
              char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) infos = g_array_new (FALSE, FALSE, sizeof (RidgeWireTemplateInfo));
  g_autoptr (GPtrArray) pages = NULL;
  guint32 total = 0;
  int rc;

  if (!ctl_parse_options (ctl, "", "Lists the enrolled templates (metadata only).", NULL, &argc,
                          &argv))
    return EXIT_USAGE;
  if (argc > 1)
    return ctl_usage (ctl, "list takes no arguments");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  pages = list_all (ctl, infos, &total, &error);
  if (pages == NULL)
    return ctl_fail (ctl, error);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "total", total);
      json_builder_set_member_name (b, "templates");
      json_builder_begin_array (b);
      for (guint i = 0; i < infos->len; i++)
        {
          json_builder_begin_object (b);
          template_info_json (b, &g_array_index (infos, RidgeWireTemplateInfo, i));
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
      ctl_print_json (b);
      return EXIT_OK;
    }

  if (infos->len == 0)
    {
      g_print ("No templates enrolled.\n");
      return EXIT_OK;
    }
  g_print ("%6s  %-20s %-13s %-20s %7s %7s  %s\n", "ID", "USER", "FINGER", "NAME", "SAMPLES",
           "QUALITY", "CREATED");
  for (guint i = 0; i < infos->len; i++)
    {
      const RidgeWireTemplateInfo *t = &g_array_index (infos, RidgeWireTemplateInfo, i);
      g_autofree char *user = ridge_wire_str_dup (t->user_id);
      g_autofree char *name = ridge_wire_str_dup (t->name);
      g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local ((gint64)(t->created_unix_ms
                                                                           / 1000));
      g_autofree char *created = dt ? g_date_time_format (dt, "%Y-%m-%d %H:%M") : g_strdup ("?");

      g_print ("%6u  %-20s %-13s %-20s %7u %7u  %s\n", t->id, user, ctl_finger_name (t->finger),
               name, t->samples, t->quality, created);
    }
  g_print ("%u template%s\n", total, total == 1 ? "" : "s");
  return EXIT_OK;
}

static gboolean
parse_id (const char *text,
          guint32    *id)
{
  guint64 v;

  if (!ctl_parse_uint (text, G_MAXUINT32, &v) || v == 0)
    return FALSE;
  *id = (guint32)v;
  return TRUE;
}

int
ctl_cmd_delete (Ctl   *ctl,
                int    argc,
                char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 };
  guint32 id;
  int rc;

  if (!ctl_parse_options (ctl, "ID", "Deletes one template record.", NULL, &argc, &argv))
    return EXIT_USAGE;
  if (argc != 2 || !parse_id (argv[1], &id))
    return ctl_usage (ctl, "delete needs a template ID (a number ≥ 1)");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.tpl_id.id = id;
  reply = ctl_request (ctl, RIDGE_MSG_TPL_DELETE, &m, 0, NULL, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_INT (b, "deleted", id);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    g_print ("Deleted template %u\n", id);
  return EXIT_OK;
}

int
ctl_cmd_rename (Ctl   *ctl,
                int    argc,
                char **argv)
{
  char *user = NULL, *name = NULL;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "New user id", "U" },
    { "name", 'n', 0, G_OPTION_ARG_STRING, &name, "New display name", "N" },
    { NULL }
  };
  g_autofree char *new_user = NULL;
  g_autofree char *new_name = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) infos = g_array_new (FALSE, FALSE, sizeof (RidgeWireTemplateInfo));
  g_autoptr (GPtrArray) pages = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  const RidgeWireTemplateInfo *cur = NULL;
  RidgeWireMsg m = { 0 }, r;
  guint32 id, total;
  int rc;

  if (!ctl_parse_options (ctl, "ID", "Changes a record's user id and/or display name.", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  new_user = user;
  new_name = name;
  if (argc != 2 || !parse_id (argv[1], &id))
    return ctl_usage (ctl, "rename needs a template ID");
  if (new_user == NULL && new_name == NULL)
    return ctl_usage (ctl, "rename needs --user and/or --name");
  if ((new_user && (strlen (new_user) == 0 || strlen (new_user) > RIDGE_WIRE_STR_MAX))
      || (new_name && strlen (new_name) > RIDGE_WIRE_STR_MAX))
    return ctl_usage (ctl, "--user must be 1 … 255 bytes, --name at most 255");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;

  /* TPL_UPDATE sets both fields: keep the current value of the one not given */
  pages = list_all (ctl, infos, &total, &error);
  if (pages == NULL)
    return ctl_fail (ctl, error);
  for (guint i = 0; i < infos->len; i++)
    if (g_array_index (infos, RidgeWireTemplateInfo, i).id == id)
      cur = &g_array_index (infos, RidgeWireTemplateInfo, i);
  if (cur == NULL)
    {
      g_autoptr (GError) nf = ridge_error_new (RIDGE_ERROR_NOT_FOUND, "template %u", id);

      return ctl_fail (ctl, nf);
    }
  m.template_info = *cur;
  if (new_user != NULL)
    {
      m.template_info.user_id.ptr = new_user;
      m.template_info.user_id.len = (uint16_t)strlen (new_user);
    }
  if (new_name != NULL)
    {
      m.template_info.name.ptr = new_name;
      m.template_info.name.len = (uint16_t)strlen (new_name);
    }
  reply = ctl_request (ctl, RIDGE_MSG_TPL_UPDATE, &m, 0, &r, &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      template_info_json (b, &r.template_info);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else
    {
      g_autofree char *u = ridge_wire_str_dup (r.template_info.user_id);
      g_autofree char *n = ridge_wire_str_dup (r.template_info.name);

      g_print ("Template %u: user %s, name “%s”\n", r.template_info.id, u, n);
    }
  return EXIT_OK;
}

/* ---- verify / identify ---------------------------------------------------------------- */

static int
print_match (Ctl                        *ctl,
             const RidgeWireMatchResult *mr)
{
  g_autofree char *user = ridge_wire_str_dup (mr->user_id);

  if (ctl->json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();

      json_builder_begin_object (b);
      J_BOOL (b, "matched", mr->matched != 0);
      J_INT (b, "score", mr->score);
      J_INT (b, "threshold", mr->threshold);
      J_INT (b, "id", mr->id);
      J_STR (b, "user_id", user);
      J_INT (b, "finger", mr->finger);
      J_STR (b, "finger_name", ctl_finger_name (mr->finger));
      J_INT (b, "probe_quality", mr->probe_quality);
      json_builder_end_object (b);
      ctl_print_json (b);
    }
  else if (mr->matched)
    g_print ("Match: template %u (%s, %s), score %u ≥ threshold %u, probe quality %u\n", mr->id,
             user, ctl_finger_name (mr->finger), mr->score, mr->threshold, mr->probe_quality);
  else
    g_print ("No match (best score %u < threshold %u), probe quality %u\n", mr->score,
             mr->threshold, mr->probe_quality);
  return mr->matched ? EXIT_OK : EXIT_NOT_FOUND;
}

int
ctl_cmd_verify (Ctl   *ctl,
                int    argc,
                char **argv)
{
  char *user = NULL, *finger_text = NULL;
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "user", 'u', 0, G_OPTION_ARG_STRING, &user, "Verify against this user's templates", "U" },
    { "finger", 'f', 0, G_OPTION_ARG_STRING, &finger_text, "… of this finger", "F" },
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autofree char *u = NULL;
  g_autofree char *f = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 }, r;
  guint8 finger = 0;
  guint32 id = 0;
  int rc;

  if (!ctl_parse_options (ctl, "(ID | --user U [--finger F])", "Verifies a finger (1:1).", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  u = user;
  f = finger_text;
  if ((argc == 2) == (u != NULL) || argc > 2)
    return ctl_usage (ctl, "verify needs either a template ID or --user U");
  if (argc == 2 && !parse_id (argv[1], &id))
    return ctl_usage (ctl, "“%s” is not a template ID", argv[1]);
  if (f != NULL && !ctl_parse_finger (f, &finger))
    return ctl_usage (ctl, "“%s” is not a finger", f);
  if (u != NULL && strlen (u) > RIDGE_WIRE_STR_MAX)
    return ctl_usage (ctl, "--user must be at most 255 bytes");
  if (finger_timeout < 0)
    return ctl_usage (ctl, "--finger-timeout must be ≥ 0");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.verify.id = id;
  m.verify.user_id.ptr = u ? u : "";
  m.verify.user_id.len = (uint16_t)(u ? strlen (u) : 0);
  m.verify.finger = finger;
  m.verify.timeout_ms = (uint32_t)finger_timeout;
  if (!ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  reply = ctl_request (ctl, RIDGE_MSG_VERIFY, &m, finger_timeout ? finger_timeout : 30000, &r,
                       &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  return print_match (ctl, &r.match_result);
}

int
ctl_cmd_identify (Ctl   *ctl,
                  int    argc,
                  char **argv)
{
  int finger_timeout = 0;
  GOptionEntry entries[] = {
    { "finger-timeout", 0, 0, G_OPTION_ARG_INT, &finger_timeout, "Wait for a finger", "MS" },
    { NULL }
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = NULL;
  RidgeWireMsg m = { 0 }, r;
  int rc;

  if (!ctl_parse_options (ctl, "", "Identifies a finger among all templates (1:N).", entries,
                          &argc, &argv))
    return EXIT_USAGE;
  if (argc > 1 || finger_timeout < 0)
    return ctl_usage (ctl, "identify takes no arguments");
  if ((rc = ctl_connect_or_fail (ctl)) != EXIT_OK)
    return rc;
  m.identify.timeout_ms = (uint32_t)finger_timeout;
  if (!ctl->json)
    g_printerr ("Place a finger on the sensor…\n");
  reply = ctl_request (ctl, RIDGE_MSG_IDENTIFY, &m, finger_timeout ? finger_timeout : 30000, &r,
                       &error);
  if (reply == NULL)
    return ctl_fail (ctl, error);
  return print_match (ctl, &r.match_result);
}
