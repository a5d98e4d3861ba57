/* ridge-test-store.c — stores synthetic records in a terminal over the protocol (core side)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "ridge-test-store.h"

#include <string.h>

#include "core/ridge-session.h"

typedef struct {
  gboolean      done;
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

static GAsyncResult *
wait_for (Wait *w)
{
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  return w->result;
}

gboolean
ridge_test_store_put (const char  *address,
                      const char **users,
                      const guint *fingers,
                      guint        n,
                      GError     **error)
{
  g_autoptr (RidgeSession) session = ridge_session_new_for_address (address, error);
  Wait w = { 0 };

  if (session == NULL)
    return FALSE;
  ridge_session_connect_async (session, NULL, done_cb, &w);
  if (!ridge_session_connect_finish (session, wait_for (&w), error))
    {
      g_clear_object (&w.result);
      return FALSE;
    }
  g_clear_object (&w.result);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GBytes) blob = ridge_test_enroll_blob (i);
      g_autoptr (RidgeMessage) reply = NULL;
      RidgeWireMsg msg = { 0 };
      gsize len = 0;

      msg.template_.info.user_id = (RidgeWireStr) { users[i], (uint16_t)strlen (users[i]) };
      msg.template_.info.name = (RidgeWireStr) { users[i], (uint16_t)strlen (users[i]) };
      msg.template_.info.finger = fingers[i];
      msg.template_.info.samples = 1;
      msg.template_.info.quality = 70;
      msg.template_.info.format = RIDGE_TPL_NATIVE;
      msg.template_.data.ptr = g_bytes_get_data (blob, &len);
      msg.template_.data.len = len;
      w = (Wait) { 0 };
      ridge_session_request_async (session, RIDGE_MSG_TPL_PUT, &msg, 0, NULL, done_cb, &w);
      reply = ridge_session_request_finish (session, wait_for (&w), error);
      g_clear_object (&w.result);
      if (reply == NULL)
        return FALSE;
    }
  w = (Wait) { 0 };
  ridge_session_close_async (session, NULL, done_cb, &w);
  ridge_session_close_finish (session, wait_for (&w), NULL);
  g_clear_object (&w.result);
  return TRUE;
}
