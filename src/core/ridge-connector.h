/* ridge-connector.h — how a session obtains its byte stream (TCP now, USB later)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A RidgeSession never opens sockets itself: it asks its RidgeConnector for a GIOStream,
 * once at connect time and again at every reconnect. RidgeTcpConnector is the TCP
 * implementation; a USB transport implements the same interface.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RIDGE_DEFAULT_TCP_PORT       7420
#define RIDGE_DEFAULT_DISCOVERY_PORT 7421

#define RIDGE_TYPE_CONNECTOR (ridge_connector_get_type ())
G_DECLARE_INTERFACE (RidgeConnector, ridge_connector, RIDGE, CONNECTOR, GObject)

struct _RidgeConnectorInterface {
  GTypeInterface parent_iface;

  void (*connect_async) (RidgeConnector     *self,
                         GCancellable       *cancellable,
                         GAsyncReadyCallback callback,
                         gpointer            user_data);
  GIOStream * (*connect_finish) (RidgeConnector *self,
                                 GAsyncResult   *result,
                                 GError        **error);
  /* "10.0.0.7:7420", "usb:1-2" — for messages and the trace */
  char * (*describe) (RidgeConnector *self);
};

/* Errors are RIDGE_ERROR (UNREACHABLE, REFUSED, TIMED_OUT …) or G_IO_ERROR_CANCELLED. */
void       ridge_connector_connect_async (RidgeConnector     *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
GIOStream *ridge_connector_connect_finish (RidgeConnector *self,
                                           GAsyncResult   *result,
                                           GError        **error);
char      *ridge_connector_describe (RidgeConnector *self);

#define RIDGE_TYPE_TCP_CONNECTOR (ridge_tcp_connector_get_type ())
G_DECLARE_FINAL_TYPE (RidgeTcpConnector, ridge_tcp_connector, RIDGE, TCP_CONNECTOR, GObject)

/* address: "host", "host:port", "[v6]:port"; the default port is 7420. */
RidgeTcpConnector *ridge_tcp_connector_new (const char *address,
                                            GError    **error);
const char        *ridge_tcp_connector_get_host (RidgeTcpConnector *self);
guint16            ridge_tcp_connector_get_port (RidgeTcpConnector *self);
void               ridge_tcp_connector_set_connect_timeout (RidgeTcpConnector *self,
                                                            guint              timeout_ms);
/* TCP keepalive (TCP_KEEPIDLE, TCP_KEEPINTVL in seconds, TCP_KEEPCNT) and
 * TCP_USER_TIMEOUT (ms; 0 = kernel default). Defaults: 5 s, 1 s, 3, 10000 ms. */
void               ridge_tcp_connector_set_keepalive (RidgeTcpConnector *self,
                                                      guint              idle_s,
                                                      guint              interval_s,
                                                      guint              count,
                                                      guint              user_timeout_ms);

/* Applies the options above to a connected TCP socket (exposed for tests). */
gboolean           ridge_tcp_socket_tune (GSocket *socket,
                                          guint    idle_s,
                                          guint    interval_s,
                                          guint    count,
                                          guint    user_timeout_ms,
                                          GError **error);

G_END_DECLS
