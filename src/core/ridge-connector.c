/* ridge-connector.c — the connector interface and its TCP implementation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-connector.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>

#include "ridge-error.h"

G_DEFINE_INTERFACE (RidgeConnector, ridge_connector, G_TYPE_OBJECT);

static void
ridge_connector_default_init (RidgeConnectorInterface *iface)
{
}

void
ridge_connector_connect_async (RidgeConnector     *self,
                               GCancellable       *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer            user_data)
{
  g_return_if_fail (RIDGE_IS_CONNECTOR (self));
  RIDGE_CONNECTOR_GET_IFACE (self)->connect_async (self, cancellable, callback, user_data);
}

GIOStream *
ridge_connector_connect_finish (RidgeConnector *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (RIDGE_IS_CONNECTOR (self), NULL);
  return RIDGE_CONNECTOR_GET_IFACE (self)->connect_finish (self, result, error);
}

char *
ridge_connector_describe (RidgeConnector *self)
{
  g_return_val_if_fail (RIDGE_IS_CONNECTOR (self), NULL);
  return RIDGE_CONNECTOR_GET_IFACE (self)->describe (self);
}

/* ---- TCP ------------------------------------------------------------------------------ */

struct _RidgeTcpConnector {
  GObject parent_instance;
  char   *host;
  guint16 port;
  guint   connect_timeout_ms;
  guint   keepidle_s;
  guint   keepintvl_s;
  guint   keepcnt;
  guint   user_timeout_ms;
};

static void connector_iface_init (RidgeConnectorInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (RidgeTcpConnector, ridge_tcp_connector, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (RIDGE_TYPE_CONNECTOR, connector_iface_init));

gboolean
ridge_tcp_socket_tune (GSocket *socket,
                       guint    idle_s,
                       guint    interval_s,
                       guint    count,
                       guint    user_timeout_ms,
                       GError **error)
{
  g_return_val_if_fail (G_IS_SOCKET (socket), FALSE);

  g_socket_set_keepalive (socket, TRUE);
  if (!g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, error))
    return FALSE;
#ifdef TCP_KEEPIDLE
  if (idle_s > 0 && !g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPIDLE, (int)idle_s, error))
    return FALSE;
#endif
#ifdef TCP_KEEPINTVL
  if (interval_s > 0
      && !g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPINTVL, (int)interval_s, error))
    return FALSE;
#endif
#ifdef TCP_KEEPCNT
  if (count > 0 && !g_socket_set_option (socket, IPPROTO_TCP, TCP_KEEPCNT, (int)count, error))
    return FALSE;
#endif
#ifdef TCP_USER_TIMEOUT
  if (user_timeout_ms > 0
      && !g_socket_set_option (socket, IPPROTO_TCP, TCP_USER_TIMEOUT, (int)user_timeout_ms,
                               error))
    return FALSE;
#endif
  return TRUE;
}

typedef struct {
  GCancellable *inner;       /* cancelled by the caller's cancellable or the timeout */
  gulong        outer_id;
  GCancellable *outer;
  GSource      *timeout;
  gboolean      timed_out;
} ConnectData;

static void
connect_data_free (ConnectData *d)
{
  if (d->outer != NULL)
    g_cancellable_disconnect (d->outer, d->outer_id);
  g_clear_object (&d->outer);
  if (d->timeout != NULL)
    {
      g_source_destroy (d->timeout);
      g_source_unref (d->timeout);
    }
  g_clear_object (&d->inner);
  g_free (d);
}

static void
outer_cancelled (GCancellable *outer,
                 GCancellable *inner)
{
  g_cancellable_cancel (inner);
}

static gboolean
connect_timed_out (gpointer user_data)
{
  ConnectData *d = user_data;

  d->timed_out = TRUE;
  g_cancellable_cancel (d->inner);
  return G_SOURCE_REMOVE;
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr (GTask) task = user_data;
  RidgeTcpConnector *self = g_task_get_source_object (task);
  ConnectData *d = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autofree char *where = ridge_connector_describe (RIDGE_CONNECTOR (self));

  conn = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);
  if (conn == NULL)
    {
      if (d->timed_out && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, ridge_error_new (RIDGE_ERROR_TIMED_OUT,
                                                    "no connection to %s within %u ms", where,
                                                    self->connect_timeout_ms));
      else
        g_task_return_error (task, ridge_error_from_connect_error (g_steal_pointer (&error),
                                                                   where));
      return;
    }

  if (!ridge_tcp_socket_tune (g_socket_connection_get_socket (conn), self->keepidle_s,
                              self->keepintvl_s, self->keepcnt, self->user_timeout_ms, &error))
    g_warning ("Could not tune the TCP socket to %s: %s", where, error->message);

  g_task_return_pointer (task, g_steal_pointer (&conn), g_object_unref);
}

static void
tcp_connect_async (RidgeConnector     *connector,
                   GCancellable       *cancellable,
                   GAsyncReadyCallback callback,
                   gpointer            user_data)
{
  RidgeTcpConnector *self = RIDGE_TCP_CONNECTOR (connector);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ConnectData *d = g_new0 (ConnectData, 1);

  g_task_set_source_tag (task, tcp_connect_async);
  d->inner = g_cancellable_new ();
  if (cancellable != NULL)
    {
      d->outer = g_object_ref (cancellable);
      d->outer_id = g_cancellable_connect (cancellable, G_CALLBACK (outer_cancelled),
                                           d->inner, NULL);
    }
  if (self->connect_timeout_ms > 0)
    {
      d->timeout = g_timeout_source_new (self->connect_timeout_ms);
      g_source_set_callback (d->timeout, connect_timed_out, d, NULL);
      g_source_attach (d->timeout, g_main_context_get_thread_default ());
    }
  g_task_set_task_data (task, d, (GDestroyNotify)connect_data_free);

  g_socket_client_set_protocol (client, G_SOCKET_PROTOCOL_TCP);
  g_socket_client_connect_to_host_async (client, self->host, self->port, d->inner, connect_cb,
                                         task);
}

static GIOStream *
tcp_connect_finish (RidgeConnector *connector,
                    GAsyncResult   *result,
                    GError        **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
tcp_describe (RidgeConnector *connector)
{
  RidgeTcpConnector *self = RIDGE_TCP_CONNECTOR (connector);

  if (strchr (self->host, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", self->host, self->port);
  return g_strdup_printf ("%s:%u", self->host, self->port);
}

static void
connector_iface_init (RidgeConnectorInterface *iface)
{
  iface->connect_async = tcp_connect_async;
  iface->connect_finish = tcp_connect_finish;
  iface->describe = tcp_describe;
}

static void
ridge_tcp_connector_finalize (GObject *object)
{
  RidgeTcpConnector *self = RIDGE_TCP_CONNECTOR (object);

  g_free (self->host);
  G_OBJECT_CLASS (ridge_tcp_connector_parent_class)->finalize (object);
}

static void
ridge_tcp_connector_class_init (RidgeTcpConnectorClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ridge_tcp_connector_finalize;
}

static void
ridge_tcp_connector_init (RidgeTcpConnector *self)
{
  self->connect_timeout_ms = 5000;
  self->keepidle_s = 5;
  self->keepintvl_s = 1;
  self->keepcnt = 3;
  self->user_timeout_ms = 10000;
}

RidgeTcpConnector *
ridge_tcp_connector_new (const char *address,
                         GError    **error)
{
  g_autoptr (GSocketConnectable) addr = NULL;
  g_autoptr (GError) local_error = NULL;
  RidgeTcpConnector *self;

  g_return_val_if_fail (address != NULL, NULL);

  addr = g_network_address_parse (address, RIDGE_DEFAULT_TCP_PORT, &local_error);
  if (addr == NULL || g_network_address_get_port (G_NETWORK_ADDRESS (addr)) == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a terminal address: use HOST or HOST:PORT", address);
      return NULL;
    }
  self = g_object_new (RIDGE_TYPE_TCP_CONNECTOR, NULL);
  self->host = g_strdup (g_network_address_get_hostname (G_NETWORK_ADDRESS (addr)));
  self->port = g_network_address_get_port (G_NETWORK_ADDRESS (addr));
  return self;
}

const char *
ridge_tcp_connector_get_host (RidgeTcpConnector *self)
{
  g_return_val_if_fail (RIDGE_IS_TCP_CONNECTOR (self), NULL);
  return self->host;
}

guint16
ridge_tcp_connector_get_port (RidgeTcpConnector *self)
{
  g_return_val_if_fail (RIDGE_IS_TCP_CONNECTOR (self), 0);
  return self->port;
}

void
ridge_tcp_connector_set_connect_timeout (RidgeTcpConnector *self,
                                         guint              timeout_ms)
{
  g_return_if_fail (RIDGE_IS_TCP_CONNECTOR (self));
  self->connect_timeout_ms = timeout_ms;
}

void
ridge_tcp_connector_set_keepalive (RidgeTcpConnector *self,
                                   guint              idle_s,
                                   guint              interval_s,
                                   guint              count,
                                   guint              user_timeout_ms)
{
  g_return_if_fail (RIDGE_IS_TCP_CONNECTOR (self));
  self->keepidle_s = idle_s;
  self->keepintvl_s = interval_s;
  self->keepcnt = count;
  self->user_timeout_ms = user_timeout_ms;
}
