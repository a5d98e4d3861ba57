/* ridge-diagnostics-page.c — one terminal's diagnostics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Terminal info from the handshake; COUNTERS read every two seconds while the page is
 * mapped (with the change since the previous reading); SELFTEST with each check; the clock
 * (TIME_GET, TIME_SET then a fresh TIME_GET for the new offset); REBOOT after a confirmation,
 * then the link followed through lost → reconnecting → ready to the new boot counter;
 * LOG_FETCH page by page into a monospace view that can be saved; and the protocol trace as
 * a live, filterable column view exported as CSV (metadata only, like the trace itself).
 */
#define G_LOG_DOMAIN "ridge-diagnostics-page"

#include "config.h"

#include "ridge-diagnostics-page.h"

#include <glib/gi18n.h>

#include "core/ridge-error.h"
#include "core/ridge-session.h"

#define COUNTERS_INTERVAL_S 2
/* log pages asked for at a time, and a bound on the pages of one fetch */
#define LOG_CHUNK           16384
#define LOG_MAX_ROUNDS      4096
/* how near the end of the trace the view counts as following it */
#define FOLLOW_SLACK_PX     64

/* ---- one trace row -------------------------------------------------------------------- */

#define RIDGE_TYPE_TRACE_ROW (ridge_trace_row_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTraceRow, ridge_trace_row, RIDGE, TRACE_ROW, GObject)

struct _RidgeTraceRow {
  GObject         parent_instance;
  RidgeTraceEntry entry;
  gint64          real_us;   /* wall-clock time of the entry */
};

G_DEFINE_FINAL_TYPE (RidgeTraceRow, ridge_trace_row, G_TYPE_OBJECT);

static void
ridge_trace_row_class_init (RidgeTraceRowClass *klass)
{
}

static void
ridge_trace_row_init (RidgeTraceRow *self)
{
}

static RidgeTraceRow *
ridge_trace_row_new (const RidgeTraceEntry *entry)
{
  RidgeTraceRow *row = g_object_new (RIDGE_TYPE_TRACE_ROW, NULL);

  row->entry = *entry;
  /* entries carry monotonic time; the viewer shows the time of day */
  row->real_us = g_get_real_time () - (g_get_monotonic_time () - entry->time_us);
  return row;
}

typedef enum {
  COLUMN_TIME,
  COLUMN_DIRECTION,
  COLUMN_KIND,
  COLUMN_TYPE,
  COLUMN_SEQ,
  COLUMN_SIZE,
  COLUMN_RTT,
  COLUMN_RESULT,
  N_COLUMNS
} Column;

static char *
trace_row_text (RidgeTraceRow *row,
                Column         column)
{
  const RidgeTraceEntry *e = &row->entry;
  char buf[8];

  switch (column)
    {
      case COLUMN_TIME:
        {
          g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (row->real_us
                                                                      / G_USEC_PER_SEC);
          g_autofree char *hms = dt != NULL ? g_date_time_format (dt, "%H:%M:%S") : NULL;

          return g_strdup_printf ("%s.%03d", hms != NULL ? hms : "?",
                                  (int)((row->real_us % G_USEC_PER_SEC) / 1000));
        }
      case COLUMN_DIRECTION:
        return g_strdup (e->direction == RIDGE_TRACE_OUT ? "→" : "←");
      case COLUMN_KIND:
        switch (e->kind)
          {
            case RIDGE_TRACE_REQUEST: return g_strdup (C_ ("trace kind", "request"));
            case RIDGE_TRACE_RESPONSE: return g_strdup (C_ ("trace kind", "response"));
            case RIDGE_TRACE_EVENT: return g_strdup (C_ ("trace kind", "event"));
            case RIDGE_TRACE_LOCAL:
            default: return g_strdup (C_ ("trace kind", "local"));
          }
      case COLUMN_TYPE:
        return g_strdup (ridge_trace_entry_type_name (e, buf));
      case COLUMN_SEQ:
        return g_strdup_printf ("%u", e->seq);
      case COLUMN_SIZE:
        /* Translators: a frame size in bytes */
        return e->size > 0 ? g_strdup_printf (_ ("%u B"), e->size) : g_strdup ("");
      case COLUMN_RTT:
        /* Translators: a round-trip time in milliseconds */
        return e->rtt_us >= 0 ? g_strdup_printf (_ ("%.2f ms"), (double)e->rtt_us / 1000.0)
                              : g_strdup ("");
      case COLUMN_RESULT:
      case N_COLUMNS:
      default:
        return g_strdup (e->result);
    }
}

/* ---- the page ------------------------------------------------------------------------- */

typedef struct {
  GtkWidget *row;
  GtkLabel  *label;
  guint64    value;
  gint64     delta;
} CounterRow;

struct _RidgeDiagnosticsPage {
  AdwBin parent_instance;

  GtkStack            *stack;
  GtkScrolledWindow   *page_scroller;
  AdwPreferencesGroup *info_group;
  AdwActionRow        *clock_row;
  GtkButton           *sync_button;
  AdwActionRow        *selftest_row;
  GtkSpinner          *selftest_spinner;
  GtkButton           *selftest_button;
  AdwActionRow        *reboot_row;
  GtkButton           *reboot_button;
  AdwPreferencesGroup *selftest_group;
  AdwPreferencesGroup *counters_group;
  GtkButton           *log_button;
  GtkButton           *log_save_button;
  GtkWidget           *log_frame;
  GtkTextView         *log_view;
  GtkToggleButton     *pause_button;
  GtkButton           *clear_button;
  GtkButton           *export_button;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *kind_dropdown;
  GtkDropDown         *direction_dropdown;
  GtkToggleButton     *problems_button;
  GtkScrolledWindow   *trace_scroller;
  GtkColumnView       *trace_view;
  GtkLabel            *trace_status;

  RidgeTerminalItem *item;
  GCancellable      *cancellable;    /* requests of the current item */
  GPtrArray         *info_rows;
  GPtrArray         *check_rows;
  GHashTable        *counters;       /* name → CounterRow */
  GPtrArray         *counter_order;  /* CounterRow, as the terminal lists them */
  guint              counters_id;
  guint              busy;
  gboolean           counters_busy;

  gboolean selftest_done;
  gboolean selftest_passed;
  guint    selftest_checks;

  gboolean have_offset;
  gint64   offset_us;
  gint64   time_sent_us;

  GString              *log_text;
  gboolean              log_done;
  guint                 log_rounds;
  GtkFileChooserNative *chooser;

  /* reboot: the boot counter before, while the page follows the link back */
  gboolean reboot_pending;
  guint32  boot_before;
  char    *reboot_status;

  RidgeTrace         *trace;
  gulong              trace_handler;
  GListStore         *trace_store;
  GtkCustomFilter    *trace_filter;
  GtkFilterListModel *trace_filtered;
  RidgeTraceFilter    filter;
  char               *filter_text;
  gboolean            follow_pending;

  char      *last_message;
  GPtrArray *messages;      /* the newest toasts, for tests */
};

G_DEFINE_FINAL_TYPE (RidgeDiagnosticsPage, ridge_diagnostics_page, ADW_TYPE_BIN);

static void
counter_row_free (gpointer data)
{
  g_free (data);
}

static RidgeSession *
page_session (RidgeDiagnosticsPage *self)
{
  GObject *session = self->item != NULL ? ridge_terminal_item_get_session (self->item) : NULL;

  return session != NULL ? RIDGE_SESSION (session) : NULL;
}

static RidgeSession *
ready_session (RidgeDiagnosticsPage *self)
{
  RidgeSession *session = page_session (self);

  if (session == NULL)
    return NULL;
  switch (ridge_session_get_state (session))
    {
      case RIDGE_SESSION_READY:
      case RIDGE_SESSION_DEGRADED:
        return session;
      default:
        return NULL;
    }
}

static void
toast (RidgeDiagnosticsPage *self,
       const char           *message)
{
  g_free (self->last_message);
  self->last_message = g_strdup (message);
  if (self->messages->len >= 32)
    g_ptr_array_remove_index (self->messages, 0);
  g_ptr_array_add (self->messages, g_strdup (message));
  /* the window owns the toast overlay; without one (tests) the message goes to the log */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.toast", "s", message))
    g_message ("%s", message);
}

static void
toast_error (RidgeDiagnosticsPage *self,
             const char           *what,
             const GError         *error)
{
  /* Translators: what failed, then why ("Self-test failed: no answer …") */
  g_autofree char *text = g_strdup_printf (_ ("%s: %s"), what, error->message);

  toast (self, text);
}

static gboolean
not_ready (RidgeDiagnosticsPage *self)
{
  if (ready_session (self) != NULL)
    return FALSE;
  toast (self, _ ("The terminal is not connected."));
  return TRUE;
}

/* ---- terminal info -------------------------------------------------------------------- */

static void
update_info (RidgeDiagnosticsPage *self)
{
  g_auto (GStrv) info = self->item != NULL ? ridge_terminal_item_dup_info (self->item) : NULL;

  for (guint i = 0; i < self->info_rows->len; i++)
    adw_preferences_group_remove (self->info_group, g_ptr_array_index (self->info_rows, i));
  g_ptr_array_set_size (self->info_rows, 0);

  if (info == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  for (guint i = 0; info[i] != NULL && info[i + 1] != NULL; i += 2)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), info[i]);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), info[i + 1]);
      gtk_widget_add_css_class (row, "property");
      adw_preferences_group_add (self->info_group, row);
      g_ptr_array_add (self->info_rows, row);
    }
  gtk_stack_set_visible_child_name (self->stack, "info");
}

/* ---- requests ------------------------------------------------------------------------- */

typedef void (*ReplyFunc) (RidgeDiagnosticsPage *self,
                           RidgeMessage         *reply,
                           const RidgeWireMsg   *body,
                           const GError         *error);

typedef struct {
  RidgeDiagnosticsPage *self;
  ReplyFunc             func;
} Request;

static void
request_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Request *req = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RidgeMessage) reply = ridge_session_request_finish (RIDGE_SESSION (source), result,
                                                                 &error);
  RidgeWireMsg body = { 0 };

  if (reply != NULL && !ridge_message_decode (reply, &body, &error))
    g_clear_pointer (&reply, ridge_message_unref);
  /* the page is gone (dispose cancels), or the item changed: self must not be touched */
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_free (req);
      return;
    }
  req->self->busy--;
  req->func (req->self, reply, reply != NULL ? &body : NULL, error);
  g_free (req);
}

static gboolean
request (RidgeDiagnosticsPage *self,
         guint16               type,
         const RidgeWireMsg   *msg,
         guint                 timeout_ms,
         ReplyFunc             func)
{
  RidgeSession *session = ready_session (self);
  Request *req;

  if (session == NULL)
    return FALSE;
  req = g_new0 (Request, 1);
  req->self = self;
  req->func = func;
  self->busy++;
  ridge_session_request_async (session, type, msg, timeout_ms, self->cancellable,
                               request_done_cb, req);
  return TRUE;
}

static void
cancel_requests (RidgeDiagnosticsPage *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
}

/* ---- counters ------------------------------------------------------------------------- */

static void
counters_reply (RidgeDiagnosticsPage *self,
                RidgeMessage         *reply,
                const RidgeWireMsg   *body,
                const GError         *error)
{
  guint32 cursor = 0;
  RidgeWireCounter c;

  self->counters_busy = FALSE;
  if (reply == NULL)
    {
      /* a periodic reading: the link dropping is said by the header, not by a toast every
       * two seconds */
      if (!g_error_matches (error, RIDGE_ERROR, RIDGE_ERROR_CONNECTION_LOST)
          && !g_error_matches (error, RIDGE_ERROR, RIDGE_ERROR_CLOSED)
          && ready_session (self) != NULL)
        toast_error (self, _ ("Reading the counters failed"), error);
      return;
    }
  for (guint i = 0; i < body->counters.n
       && ridge_wire_counters_next (&body->counters, &cursor, &c) == RIDGE_WIRE_OK; i++)
    {
      g_autofree char *name = ridge_wire_str_dup (c.name);
      g_autofree char *text = NULL;
      CounterRow *row = g_hash_table_lookup (self->counters, name);

      if (row == NULL)
        {
          row = g_new0 (CounterRow, 1);
          row->row = adw_action_row_new ();
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), name);
          adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
          row->label = GTK_LABEL (gtk_label_new (NULL));
          gtk_widget_add_css_class (GTK_WIDGET (row->label), "numeric");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), GTK_WIDGET (row->label));
          adw_preferences_group_add (self->counters_group, row->row);
          row->value = c.value;
          row->delta = 0;
          g_hash_table_insert (self->counters, g_strdup (name), row);
          g_ptr_array_add (self->counter_order, row);
        }
      else
        {
          row->delta = (gint64)(c.value - row->value);
          row->value = c.value;
        }
      if (row->delta != 0)
        text = g_strdup_printf ("%" G_GUINT64_FORMAT " (%+" G_GINT64_FORMAT ")", row->value,
                                row->delta);
      else
        text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->value);
      gtk_label_set_label (row->label, text);
    }
}

void
ridge_diagnostics_page_refresh_counters (RidgeDiagnosticsPage *self)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  if (self->counters_busy)
    return;
  self->counters_busy = request (self, RIDGE_MSG_COUNTERS, NULL, 0, counters_reply);
}

static gboolean
counters_tick_cb (gpointer user_data)
{
  ridge_diagnostics_page_refresh_counters (RIDGE_DIAGNOSTICS_PAGE (user_data));
  return G_SOURCE_CONTINUE;
}

static void
clear_counters (RidgeDiagnosticsPage *self)
{
  for (guint i = 0; i < self->counter_order->len; i++)
    {
      CounterRow *row = g_ptr_array_index (self->counter_order, i);

      adw_preferences_group_remove (self->counters_group, row->row);
    }
  g_ptr_array_set_size (self->counter_order, 0);
  g_hash_table_remove_all (self->counters);
}

/* ---- self-test ------------------------------------------------------------------------ */

static void
clear_checks (RidgeDiagnosticsPage *self)
{
  for (guint i = 0; i < self->check_rows->len; i++)
    adw_preferences_group_remove (self->selftest_group, g_ptr_array_index (self->check_rows, i));
  g_ptr_array_set_size (self->check_rows, 0);
  gtk_widget_set_visible (GTK_WIDGET (self->selftest_group), FALSE);
}

static GtkWidget *
check_row_new (const char *title,
               const char *detail,
               gboolean    passed)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon = gtk_image_new_from_icon_name (passed ? "emblem-ok-symbolic"
                                                  : "dialog-error-symbolic");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (detail != NULL && detail[0] != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
  gtk_widget_add_css_class (icon, passed ? "success" : "error");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  passed ? _ ("Passed") : _ ("Failed"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  return row;
}

static void
selftest_reply (RidgeDiagnosticsPage *self,
                RidgeMessage         *reply,
                const RidgeWireMsg   *body,
                const GError         *error)
{
  guint32 cursor = 0;
  RidgeWireCheck c;
  guint n = 0;

  gtk_spinner_stop (self->selftest_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->selftest_spinner), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->selftest_button), TRUE);
  if (reply == NULL)
    {
      adw_action_row_set_subtitle (self->selftest_row, _ ("The self-test did not complete."));
      toast_error (self, _ ("Self-test failed"), error);
      return;
    }
  for (guint i = 0; i < body->selftest.n
       && ridge_wire_selftest_next (&body->selftest, &cursor, &c) == RIDGE_WIRE_OK; i++)
    {
      g_autofree char *name = ridge_wire_str_dup (c.name);
      g_autofree char *detail = ridge_wire_str_dup (c.detail);
      GtkWidget *row = check_row_new (name, detail, c.passed != 0);

      adw_preferences_group_add (self->selftest_group, row);
      g_ptr_array_add (self->check_rows, row);
      n++;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->selftest_group), TRUE);
  self->selftest_done = TRUE;
  self->selftest_passed = body->selftest.passed != 0;
  self->selftest_checks = n;
  {
    g_autoptr (GDateTime) now = g_date_time_new_now_local ();
    g_autofree char *hms = g_date_time_format (now, "%H:%M:%S");
    g_autofree char *text = self->selftest_passed
                            /* Translators: the self-test result; %u checks, %s a time */
                            ? g_strdup_printf (ngettext ("Passed: %u check at %s",
                                                         "Passed: all %u checks at %s", n), n, hms)
                            : g_strdup_printf (_ ("FAILED at %s — see the checks below"), hms);

    adw_action_row_set_subtitle (self->selftest_row, text);
  }
}

void
ridge_diagnostics_page_run_selftest (RidgeDiagnosticsPage *self)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  if (not_ready (self))
    return;
  clear_checks (self);
  self->selftest_done = FALSE;
  /* the terminal exercises its sensor and store: allow it far more than a plain request */
  if (!request (self, RIDGE_MSG_SELFTEST, NULL, 30000, selftest_reply))
    return;
  adw_action_row_set_subtitle (self->selftest_row, _ ("Running…"));
  gtk_widget_set_visible (GTK_WIDGET (self->selftest_spinner), TRUE);
  gtk_spinner_start (self->selftest_spinner);
  gtk_widget_set_sensitive (GTK_WIDGET (self->selftest_button), FALSE);
}

static void
selftest_clicked_cb (RidgeDiagnosticsPage *self)
{
  ridge_diagnostics_page_run_selftest (self);
}

/* ---- clock ---------------------------------------------------------------------------- */

static void
show_time (RidgeDiagnosticsPage *self,
           gint64                terminal_unix_us)
{
  gint64 now = g_get_real_time ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_local (terminal_unix_us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) here = g_date_time_new_from_unix_local (now / G_USEC_PER_SEC);
  g_autofree char *theirs = dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : NULL;
  g_autofree char *ours = here != NULL ? g_date_time_format (here, "%H:%M:%S") : NULL;
  g_autofree char *text = NULL;

  /* the terminal read its clock about half-way through the exchange */
  self->offset_us = terminal_unix_us - (self->time_sent_us + now) / 2;
  self->have_offset = TRUE;
  /* Translators: terminal time, this computer's time, the difference in seconds */
  text = g_strdup_printf (_ ("Terminal %s, this computer %s, offset %+.3f s"),
                          theirs != NULL ? theirs : "?", ours != NULL ? ours : "?",
                          (double)self->offset_us / G_USEC_PER_SEC);
  adw_action_row_set_subtitle (self->clock_row, text);
}

static void
time_get_reply (RidgeDiagnosticsPage *self,
                RidgeMessage         *reply,
                const RidgeWireMsg   *body,
                const GError         *error)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), TRUE);
  if (reply == NULL)
    {
      toast_error (self, _ ("Reading the terminal's clock failed"), error);
      return;
    }
  show_time (self, body->time.unix_us);
}

void
ridge_diagnostics_page_read_time (RidgeDiagnosticsPage *self)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  self->time_sent_us = g_get_real_time ();
  if (request (self, RIDGE_MSG_TIME_GET, NULL, 0, time_get_reply))
    gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), FALSE);
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), TRUE);
}

static void
time_set_reply (RidgeDiagnosticsPage *self,
                RidgeMessage         *reply,
                const RidgeWireMsg   *body,
                const GError         *error)
{
  if (reply == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), TRUE);
      toast_error (self, _ ("Setting the terminal's clock failed"), error);
      return;
    }
  /* read it back: the offset shown is what the terminal now keeps, not what was sent */
  toast (self, _ ("Terminal clock set to this computer's time."));
  ridge_diagnostics_page_read_time (self);
}

void
ridge_diagnostics_page_sync_time (RidgeDiagnosticsPage *self)
{
  RidgeWireMsg m = { 0 };

  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  if (not_ready (self))
    return;
  m.time.unix_us = g_get_real_time ();
  if (request (self, RIDGE_MSG_TIME_SET, &m, 0, time_set_reply))
    gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), FALSE);
}

static void
sync_clicked_cb (RidgeDiagnosticsPage *self)
{
  ridge_diagnostics_page_sync_time (self);
}

/* ---- reboot --------------------------------------------------------------------------- */

static guint32
boot_counter (RidgeDiagnosticsPage *self)
{
  RidgeSession *session = page_session (self);
  const RidgeTerminalInfo *info = session != NULL ? ridge_session_get_info (session) : NULL;

  return info != NULL ? info->boot_counter : 0;
}

static void
set_reboot_status (RidgeDiagnosticsPage *self,
                   const char           *text)
{
  g_free (self->reboot_status);
  self->reboot_status = g_strdup (text);
  adw_action_row_set_subtitle (self->reboot_row, text);
}

static void
reboot_reply (RidgeDiagnosticsPage *self,
              RidgeMessage         *reply,
              const RidgeWireMsg   *body,
              const GError         *error)
{
  if (reply == NULL)
    {
      self->reboot_pending = FALSE;
      gtk_widget_set_sensitive (GTK_WIDGET (self->reboot_button), TRUE);
      set_reboot_status (self, _ ("The terminal refused to reboot."));
      toast_error (self, _ ("Reboot failed"), error);
      return;
    }
  set_reboot_status (self, _ ("Rebooting…"));
}

/* The item's link state while a reboot is followed: lost → reconnecting → ready. */
static void
item_state_cb (RidgeDiagnosticsPage *self)
{
  RidgeTerminalState state;
  g_autofree char *text = NULL;

  if (self->item == NULL || !self->reboot_pending)
    return;
  state = ridge_terminal_item_get_state (self->item);
  if (state == RIDGE_TERMINAL_STATE_READY)
    return;   /* the handshake's info-changed says the rest */
  /* Translators: during a reboot; %s is the link state ("lost", "reconnecting") */
  text = g_strdup_printf (_ ("Rebooting… link %s"), ridge_terminal_state_to_string (state));
  set_reboot_status (self, text);
}

static void
reboot_finished (RidgeDiagnosticsPage *self)
{
  guint32 after = boot_counter (self);
  g_autofree char *text = NULL;

  self->reboot_pending = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->reboot_button), TRUE);
  if (after != self->boot_before)
    /* Translators: after a reboot, the boot counter before → after */
    text = g_strdup_printf (_ ("Rebooted (boot counter %u → %u)"), self->boot_before, after);
  else
    text = g_strdup_printf (_ ("Back, but the boot counter is still %u: the terminal did not "
                               "restart"), after);
  set_reboot_status (self, text);
  toast (self, text);
}

void
ridge_diagnostics_page_reboot (RidgeDiagnosticsPage *self)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  if (not_ready (self))
    return;
  self->boot_before = boot_counter (self);
  if (!request (self, RIDGE_MSG_REBOOT, NULL, 0, reboot_reply))
    return;
  self->reboot_pending = TRUE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->reboot_button), FALSE);
  set_reboot_status (self, _ ("Asking the terminal to reboot…"));
}

static void
reboot_response_cb (RidgeDiagnosticsPage *self,
                    const char           *response)
{
  if (g_strcmp0 (response, "reboot") == 0)
    ridge_diagnostics_page_reboot (self);
}

static void
reboot_clicked_cb (RidgeDiagnosticsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _ ("Reboot the Terminal?"),
                                   _ ("It stops answering for a moment: a capture, enrollment "
                                      "or stream in progress is interrupted. The link comes "
                                      "back by itself."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _ ("_Cancel"),
                                    "reboot", _ ("_Reboot"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "reboot",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (reboot_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- log ------------------------------------------------------------------------------ */

static void log_request (RidgeDiagnosticsPage *self,
                         guint32               offset);

static void
log_finished (RidgeDiagnosticsPage *self)
{
  g_autofree char *valid = g_utf8_make_valid (self->log_text->str, (gssize)self->log_text->len);

  self->log_done = TRUE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), valid, -1);
  gtk_widget_set_visible (self->log_frame, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_save_button), TRUE);
}

static void
log_reply (RidgeDiagnosticsPage *self,
           RidgeMessage         *reply,
           const RidgeWireMsg   *body,
           const GError         *error)
{
  guint32 next;

  if (reply == NULL)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->log_button), TRUE);
      toast_error (self, _ ("Fetching the log failed"), error);
      return;
    }
  g_string_append_len (self->log_text, body->log.text.ptr, body->log.text.len);
  next = body->log.offset + body->log.text.len;
  if (body->log.text.len == 0 || next >= body->log.total || ++self->log_rounds >= LOG_MAX_ROUNDS)
    {
      log_finished (self);
      return;
    }
  log_request (self, next);
}

static void
log_request (RidgeDiagnosticsPage *self,
             guint32               offset)
{
  RidgeWireMsg m = { 0 };

  m.log_fetch.offset = offset;
  m.log_fetch.max = LOG_CHUNK;
  if (!request (self, RIDGE_MSG_LOG_FETCH, &m, 0, log_reply))
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->log_button), TRUE);
      toast (self, _ ("The link dropped while the log was being fetched."));
    }
}

void
ridge_diagnostics_page_fetch_log (RidgeDiagnosticsPage *self)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));

  if (not_ready (self))
    return;
  g_string_truncate (self->log_text, 0);
  self->log_done = FALSE;
  self->log_rounds = 0;
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_button), FALSE);
  /* the text shown stays until the new one is complete; saving waits for it */
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_save_button), FALSE);
  log_request (self, 0);
}

static void
log_clicked_cb (RidgeDiagnosticsPage *self)
{
  ridge_diagnostics_page_fetch_log (self);
}

gboolean
ridge_diagnostics_page_save_log (RidgeDiagnosticsPage *self,
                                 const char           *path,
                                 GError              **error)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!self->log_done)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _ ("Fetch the log first."));
      return FALSE;
    }
  /* a log may name users and peers: readable by its owner only */
  return g_file_set_contents_full (path, self->log_text->str, (gssize)self->log_text->len,
                                   G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

/* ---- file choosers -------------------------------------------------------------------- */

typedef gboolean (*SaveFunc) (RidgeDiagnosticsPage *self,
                              const char           *path,
                              GError              **error);

static gboolean
export_trace_save (RidgeDiagnosticsPage *self,
                   const char           *path,
                   GError              **error)
{
  return ridge_diagnostics_page_export_trace (self, path, error) >= 0;
}

static void
chooser_response_cb (GtkFileChooserNative *chooser,
                     int                   response,
                     RidgeDiagnosticsPage *self)
{
  SaveFunc save = g_object_get_data (G_OBJECT (chooser), "ridge-save");
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      path = file != NULL ? g_file_get_path (file) : NULL;
      if (path == NULL)
        toast (self, _ ("Only local files can be written."));
      else if (!save (self, path, &error))
        toast_error (self, _ ("Saving failed"), error);
      else
        {
          g_autofree char *base = g_path_get_basename (path);
          /* Translators: %s is a file name */
          g_autofree char *text = g_strdup_printf (_ ("Saved “%s”."), base);

          toast (self, text);
        }
    }
  if (self->chooser == chooser)
    g_clear_object (&self->chooser);
}

static void
choose_file (RidgeDiagnosticsPage *self,
             const char           *title,
             const char           *name,
             SaveFunc              save)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (title,
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_SAVE, _ ("_Save"),
                                               _ ("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (self->chooser), name);
  g_object_set_data (G_OBJECT (self->chooser), "ridge-save", save);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
log_save_clicked_cb (RidgeDiagnosticsPage *self)
{
  choose_file (self, _ ("Save Terminal Log"), "terminal.log", ridge_diagnostics_page_save_log);
}

static void
export_clicked_cb (RidgeDiagnosticsPage *self)
{
  choose_file (self, _ ("Export Protocol Trace"), "trace.csv", export_trace_save);
}

/* ---- trace viewer --------------------------------------------------------------------- */

static void
update_trace_status (RidgeDiagnosticsPage *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->trace_filtered));
  guint all = g_list_model_get_n_items (G_LIST_MODEL (self->trace_store));
  g_autofree char *text = NULL;

  /* Translators: trace rows shown of all kept, then whether new rows are held back */
  text = g_strdup_printf (_ ("%u of %u exchanges%s"), shown, all,
                          gtk_toggle_button_get_active (self->pause_button)
                          ? _ (", paused") : "");
  gtk_label_set_label (self->trace_status, text);
  gtk_widget_set_sensitive (GTK_WIDGET (self->export_button), shown > 0);
}

static gboolean
at_bottom (RidgeDiagnosticsPage *self)
{
  GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (self->trace_scroller);

  /* within two rows of the end: list heights are estimates, scrolling to the last row may
   * stop a little short of the upper bound */
  return gtk_adjustment_get_value (adj) + gtk_adjustment_get_page_size (adj)
         >= gtk_adjustment_get_upper (adj) - FOLLOW_SLACK_PX;
}

/* Brings row pos into view. Setting the adjustment while the list has rows still to lay
 * out makes GTK 4.8 warn; the list's own scroll-to-item action (on the column view's inner
 * list, 4.8 has no public call) waits for them. */
static void
scroll_trace_to (RidgeDiagnosticsPage *self,
                 guint                 pos)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->trace_view));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_WIDGET (child) && !GTK_IS_LABEL (child)
        && gtk_widget_activate_action (child, "list.scroll-to-item", "u", pos))
      return;
}

static gboolean
follow_cb (gpointer user_data)
{
  RidgeDiagnosticsPage *self = user_data;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->trace_filtered));

  self->follow_pending = FALSE;
  if (gtk_widget_get_mapped (GTK_WIDGET (self->trace_view)) && n > 0)
    scroll_trace_to (self, n - 1);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
trace_entry_added_cb (RidgeDiagnosticsPage  *self,
                      const RidgeTraceEntry *entry)
{
  g_autoptr (RidgeTraceRow) row = NULL;
  gboolean follow;

  if (gtk_toggle_button_get_active (self->pause_button))
    return;
  /* rows past the bottom keep the view where the reader left it; at the bottom it follows */
  follow = at_bottom (self);
  row = ridge_trace_row_new (entry);
  g_list_store_append (self->trace_store, row);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->trace_store))
         > ridge_trace_get_capacity (self->trace))
    g_list_store_remove (self->trace_store, 0);
  if (follow && !self->follow_pending)
    {
      self->follow_pending = TRUE;
      g_idle_add_full (G_PRIORITY_LOW, follow_cb, g_object_ref (self), NULL);
    }
  update_trace_status (self);
}

static void
reload_trace (RidgeDiagnosticsPage *self)
{
  guint n = self->trace != NULL ? ridge_trace_get_n_entries (self->trace) : 0;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (rows, ridge_trace_row_new (ridge_trace_get_entry (self->trace, i)));
  g_list_store_splice (self->trace_store, 0,
                       g_list_model_get_n_items (G_LIST_MODEL (self->trace_store)),
                       rows->pdata, rows->len);
  update_trace_status (self);
}

/* The session (and so its trace) changes on connect/disconnect. */
static void
attach_trace (RidgeDiagnosticsPage *self)
{
  RidgeSession *session = page_session (self);
  RidgeTrace *trace = session != NULL ? ridge_session_get_trace (session) : NULL;

  if (trace == self->trace)
    return;
  if (self->trace != NULL)
    g_clear_signal_handler (&self->trace_handler, self->trace);
  g_set_object (&self->trace, trace);
  /* after a disconnect the last link's rows stay: they may say why it ended */
  if (trace == NULL)
    return;
  self->trace_handler = g_signal_connect_object (trace, "entry-added",
                                                 G_CALLBACK (trace_entry_added_cb), self,
                                                 G_CONNECT_SWAPPED);
  reload_trace (self);
}

static gboolean
trace_filter_func (gpointer item,
                   gpointer user_data)
{
  RidgeDiagnosticsPage *self = user_data;

  return ridge_trace_entry_matches (&RIDGE_TRACE_ROW (item)->entry, &self->filter);
}

static void
filter_changed_cb (RidgeDiagnosticsPage *self)
{
  guint kind = gtk_drop_down_get_selected (self->kind_dropdown);
  guint dir = gtk_drop_down_get_selected (self->direction_dropdown);
  /* the drop-down entries: "all", then RidgeTraceKind order */
  static const int kinds[] = { -1, RIDGE_TRACE_REQUEST, RIDGE_TRACE_RESPONSE, RIDGE_TRACE_EVENT,
                               RIDGE_TRACE_LOCAL };
  static const int dirs[] = { -1, RIDGE_TRACE_OUT, RIDGE_TRACE_IN };

  g_free (self->filter_text);
  self->filter_text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (
                                                                     self->search_entry))));
  self->filter.text = self->filter_text;
  self->filter.kind = kind < G_N_ELEMENTS (kinds) ? kinds[kind] : -1;
  self->filter.direction = dir < G_N_ELEMENTS (dirs) ? dirs[dir] : -1;
  self->filter.problems_only = gtk_toggle_button_get_active (self->problems_button);
  gtk_filter_changed (GTK_FILTER (self->trace_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_trace_status (self);
}

static void
pause_toggled_cb (RidgeDiagnosticsPage *self)
{
  gboolean paused = gtk_toggle_button_get_active (self->pause_button);

  gtk_button_set_icon_name (GTK_BUTTON (self->pause_button),
                            paused ? "media-playback-start-symbolic"
                                   : "media-playback-pause-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->pause_button),
                               paused ? _ ("Resume") : _ ("Pause"));
  /* resuming shows what came in meanwhile (as far as the ring kept it) */
  if (!paused && self->trace != NULL)
    reload_trace (self);
  else
    update_trace_status (self);
}

static void
clear_clicked_cb (RidgeDiagnosticsPage *self)
{
  if (self->trace != NULL)
    ridge_trace_clear (self->trace);
  g_list_store_remove_all (self->trace_store);
  update_trace_status (self);
}

static void
cell_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  Column column = GPOINTER_TO_INT (user_data);
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label),
                        column == COLUMN_SIZE || column == COLUMN_RTT || column == COLUMN_SEQ
                        ? 1.0f : 0.0f);
  if (column == COLUMN_RESULT)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static void
cell_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  RidgeTraceRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *label = gtk_list_item_get_child (list_item);
  g_autofree char *text = trace_row_text (row, GPOINTER_TO_INT (user_data));

  gtk_label_set_label (GTK_LABEL (label), text);
  if (GPOINTER_TO_INT (user_data) == COLUMN_RESULT)
    {
      gtk_widget_set_tooltip_text (label, text);
      if (ridge_trace_entry_is_problem (&row->entry))
        gtk_widget_add_css_class (label, "error");
      else
        gtk_widget_remove_css_class (label, "error");
    }
}

static void
add_columns (RidgeDiagnosticsPage *self)
{
  const char *titles[N_COLUMNS] = {
    C_ ("trace column", "Time"), C_ ("trace column", "Dir"), C_ ("trace column", "Kind"),
    C_ ("trace column", "Type"), C_ ("trace column", "Seq"), C_ ("trace column", "Size"),
    C_ ("trace column", "RTT"), C_ ("trace column", "Result"),
  };

  for (int i = 0; i < N_COLUMNS; i++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      g_autoptr (GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (cell_setup_cb), GINT_TO_POINTER (i));
      g_signal_connect (factory, "bind", G_CALLBACK (cell_bind_cb), GINT_TO_POINTER (i));
      column = gtk_column_view_column_new (titles[i], factory);
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_column_set_expand (column, i == COLUMN_RESULT);
      gtk_column_view_append_column (self->trace_view, column);
    }
}

GListModel *
ridge_diagnostics_page_get_trace_model (RidgeDiagnosticsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), NULL);
  return G_LIST_MODEL (self->trace_filtered);
}

void
ridge_diagnostics_page_set_trace_filter (RidgeDiagnosticsPage   *self,
                                         const RidgeTraceFilter *filter)
{
  RidgeTraceFilter all = RIDGE_TRACE_FILTER_INIT;

  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));
  if (filter == NULL)
    filter = &all;
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry),
                         filter->text != NULL ? filter->text : "");
  gtk_drop_down_set_selected (self->kind_dropdown, filter->kind < 0 ? 0 : filter->kind + 1);
  gtk_drop_down_set_selected (self->direction_dropdown,
                              filter->direction < 0 ? 0
                              : filter->direction == RIDGE_TRACE_OUT ? 1 : 2);
  gtk_toggle_button_set_active (self->problems_button, filter->problems_only);
  /* the search entry reports changes after a delay: apply now */
  filter_changed_cb (self);
}

void
ridge_diagnostics_page_set_trace_paused (RidgeDiagnosticsPage *self,
                                         gboolean              paused)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));
  gtk_toggle_button_set_active (self->pause_button, paused);
}

gssize
ridge_diagnostics_page_export_trace (RidgeDiagnosticsPage *self,
                                     const char           *path,
                                     GError              **error)
{
  GListModel *model;
  g_autoptr (GString) text = NULL;
  gint64 t0 = 0;
  guint n;

  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  /* what the viewer shows: filtered, and as it stood when paused */
  model = G_LIST_MODEL (self->trace_filtered);
  n = g_list_model_get_n_items (model);
  text = g_string_new (ridge_trace_csv_header ());
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RidgeTraceRow) row = g_list_model_get_item (model, i);
      g_autofree char *line = NULL;

      if (i == 0)
        t0 = row->entry.time_us;
      line = ridge_trace_entry_to_csv (&row->entry, t0);
      g_string_append (text, line);
    }
  if (!g_file_set_contents_full (path, text->str, (gssize)text->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0644, error))
    return -1;
  return n;
}

/* ---- item, mapping -------------------------------------------------------------------- */

static void
item_info_changed_cb (RidgeDiagnosticsPage *self)
{
  update_info (self);
  attach_trace (self);
  if (self->reboot_pending && ready_session (self) != NULL)
    reboot_finished (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) && ready_session (self) != NULL)
    {
      ridge_diagnostics_page_read_time (self);
      ridge_diagnostics_page_refresh_counters (self);
    }
}

static void
item_status_cb (RidgeDiagnosticsPage *self)
{
  /* a new session on connect, none after disconnect */
  attach_trace (self);
  item_state_cb (self);
  if (self->item != NULL && !ridge_terminal_item_is_connected (self->item))
    update_info (self);
}

static void
ridge_diagnostics_page_map (GtkWidget *widget)
{
  RidgeDiagnosticsPage *self = RIDGE_DIAGNOSTICS_PAGE (widget);

  GTK_WIDGET_CLASS (ridge_diagnostics_page_parent_class)->map (widget);
  if (self->counters_id == 0)
    self->counters_id = g_timeout_add_seconds (COUNTERS_INTERVAL_S, counters_tick_cb, self);
  if (ready_session (self) != NULL)
    {
      ridge_diagnostics_page_refresh_counters (self);
      if (!self->have_offset)
        ridge_diagnostics_page_read_time (self);
    }
}

static void
ridge_diagnostics_page_unmap (GtkWidget *widget)
{
  RidgeDiagnosticsPage *self = RIDGE_DIAGNOSTICS_PAGE (widget);

  g_clear_handle_id (&self->counters_id, g_source_remove);
  GTK_WIDGET_CLASS (ridge_diagnostics_page_parent_class)->unmap (widget);
}

void
ridge_diagnostics_page_set_item (RidgeDiagnosticsPage *self,
                                 RidgeTerminalItem    *item)
{
  g_return_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self));
  g_return_if_fail (item == NULL || RIDGE_IS_TERMINAL_ITEM (item));

  if (self->item == item)
    return;
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  /* answers for the previous terminal must not land on this one's page */
  cancel_requests (self);
  self->busy = 0;
  self->counters_busy = FALSE;
  g_set_object (&self->item, item);

  clear_counters (self);
  clear_checks (self);
  self->selftest_done = FALSE;
  self->have_offset = FALSE;
  self->reboot_pending = FALSE;
  g_clear_pointer (&self->reboot_status, g_free);
  g_string_truncate (self->log_text, 0);
  self->log_done = FALSE;
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->log_view), "", -1);
  gtk_widget_set_visible (self->log_frame, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->log_save_button), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->selftest_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reboot_button), TRUE);
  gtk_spinner_stop (self->selftest_spinner);
  gtk_widget_set_visible (GTK_WIDGET (self->selftest_spinner), FALSE);
  adw_action_row_set_subtitle (self->clock_row, "—");
  adw_action_row_set_subtitle (self->selftest_row,
                               _ ("Sensor, storage and matcher checks on the terminal"));
  adw_action_row_set_subtitle (self->reboot_row, _ ("The link drops and comes back by itself"));

  if (item != NULL)
    {
      g_signal_connect_object (item, "info-changed", G_CALLBACK (item_info_changed_cb), self,
                               G_CONNECT_SWAPPED);
      g_signal_connect_object (item, "notify::status", G_CALLBACK (item_status_cb), self,
                               G_CONNECT_SWAPPED);
    }
  /* the previous terminal's exchanges are not this one's */
  if (self->trace != NULL)
    g_clear_signal_handler (&self->trace_handler, self->trace);
  g_clear_object (&self->trace);
  g_list_store_remove_all (self->trace_store);
  update_info (self);
  attach_trace (self);
  update_trace_status (self);
}

/* ---- accessors for tests -------------------------------------------------------------- */

guint
ridge_diagnostics_page_get_busy (RidgeDiagnosticsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), 0);
  return self->busy;
}

gboolean
ridge_diagnostics_page_get_selftest (RidgeDiagnosticsPage *self,
                                     gboolean             *passed,
                                     guint                *n_checks)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), FALSE);
  if (passed != NULL)
    *passed = self->selftest_passed;
  if (n_checks != NULL)
    *n_checks = self->selftest_checks;
  return self->selftest_done;
}

gboolean
ridge_diagnostics_page_get_clock_offset (RidgeDiagnosticsPage *self,
                                         gint64               *offset_us)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), FALSE);
  if (offset_us != NULL)
    *offset_us = self->offset_us;
  return self->have_offset;
}

const char *
ridge_diagnostics_page_get_log_text (RidgeDiagnosticsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), NULL);
  return self->log_done ? self->log_text->str : NULL;
}

const char *
ridge_diagnostics_page_get_reboot_status (RidgeDiagnosticsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), NULL);
  return self->reboot_status;
}

gboolean
ridge_diagnostics_page_get_counter (RidgeDiagnosticsPage *self,
                                    const char           *name,
                                    guint64              *value,
                                    gint64               *delta)
{
  CounterRow *row;

  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), FALSE);
  row = g_hash_table_lookup (self->counters, name);
  if (row == NULL)
    return FALSE;
  if (value != NULL)
    *value = row->value;
  if (delta != NULL)
    *delta = row->delta;
  return TRUE;
}

const char *
ridge_diagnostics_page_get_last_message (RidgeDiagnosticsPage *self)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), NULL);
  return self->last_message;
}

gboolean
ridge_diagnostics_page_has_message (RidgeDiagnosticsPage *self,
                                    const char           *prefix)
{
  g_return_val_if_fail (RIDGE_IS_DIAGNOSTICS_PAGE (self), FALSE);
  for (guint i = 0; i < self->messages->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (self->messages, i), prefix))
      return TRUE;
  return FALSE;
}

/* ---- GObject -------------------------------------------------------------------------- */

static void
ridge_diagnostics_page_dispose (GObject *object)
{
  RidgeDiagnosticsPage *self = RIDGE_DIAGNOSTICS_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->counters_id, g_source_remove);
  if (self->item != NULL)
    g_signal_handlers_disconnect_by_data (self->item, self);
  g_clear_object (&self->item);
  if (self->trace != NULL)
    g_clear_signal_handler (&self->trace_handler, self->trace);
  g_clear_object (&self->trace);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  /* AdwBin unparents its child in its own dispose; the template child must go first */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), RIDGE_TYPE_DIAGNOSTICS_PAGE);
  G_OBJECT_CLASS (ridge_diagnostics_page_parent_class)->dispose (object);
}

static void
ridge_diagnostics_page_finalize (GObject *object)
{
  RidgeDiagnosticsPage *self = RIDGE_DIAGNOSTICS_PAGE (object);

  g_clear_pointer (&self->info_rows, g_ptr_array_unref);
  g_clear_pointer (&self->check_rows, g_ptr_array_unref);
  g_clear_pointer (&self->counters, g_hash_table_unref);
  g_clear_pointer (&self->counter_order, g_ptr_array_unref);
  g_string_free (self->log_text, TRUE);
  g_clear_object (&self->trace_store);
  g_clear_object (&self->trace_filtered);
  g_free (self->filter_text);
  g_free (self->reboot_status);
  g_free (self->last_message);
  g_clear_pointer (&self->messages, g_ptr_array_unref);
  G_OBJECT_CLASS (ridge_diagnostics_page_parent_class)->finalize (object);
}

static void
ridge_diagnostics_page_class_init (RidgeDiagnosticsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ridge_diagnostics_page_dispose;
  object_class->finalize = ridge_diagnostics_page_finalize;
  widget_class->map = ridge_diagnostics_page_map;
  widget_class->unmap = ridge_diagnostics_page_unmap;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/ridge/Ridge/ui/ridge-diagnostics-page.ui");
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, page_scroller);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, info_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, clock_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, sync_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, selftest_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, selftest_spinner);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, selftest_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, reboot_row);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, reboot_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, selftest_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, counters_group);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, log_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, log_save_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, log_frame);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, log_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, pause_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, clear_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, kind_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, direction_dropdown);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, problems_button);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, trace_scroller);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, trace_view);
  gtk_widget_class_bind_template_child (widget_class, RidgeDiagnosticsPage, trace_status);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, selftest_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, reboot_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, log_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, log_save_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, pause_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, clear_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
}

static void
ridge_diagnostics_page_init (RidgeDiagnosticsPage *self)
{
  RidgeTraceFilter all = RIDGE_TRACE_FILTER_INIT;
  GtkNoSelection *selection;

  self->info_rows = g_ptr_array_new ();
  self->messages = g_ptr_array_new_with_free_func (g_free);
  self->check_rows = g_ptr_array_new ();
  self->counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, counter_row_free);
  self->counter_order = g_ptr_array_new ();
  self->log_text = g_string_new (NULL);
  self->cancellable = g_cancellable_new ();
  self->filter = all;
  self->trace_store = g_list_store_new (RIDGE_TYPE_TRACE_ROW);
  self->trace_filter = gtk_custom_filter_new (trace_filter_func, self, NULL);
  self->trace_filtered = gtk_filter_list_model_new (G_LIST_MODEL (g_object_ref (
                                                                    self->trace_store)),
                                                    GTK_FILTER (self->trace_filter));

  gtk_widget_init_template (GTK_WIDGET (self));
  add_columns (self);
  selection = gtk_no_selection_new (G_LIST_MODEL (g_object_ref (self->trace_filtered)));
  gtk_column_view_set_model (self->trace_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  update_trace_status (self);
}

GtkWidget *
ridge_diagnostics_page_new (void)
{
  return g_object_new (RIDGE_TYPE_DIAGNOSTICS_PAGE, NULL);
}
