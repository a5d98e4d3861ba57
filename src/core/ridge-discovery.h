/* ridge-discovery.h — find terminals with a UDP DISCOVER probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "ridge-message.h"

G_BEGIN_DECLS

#define RIDGE_DISCOVERY_BROADCAST "255.255.255.255"

typedef struct {
  char              *address;   /* where the answer came from ("192.168.1.20") */
  guint16            tcp_port;
  gboolean           busy;
  char              *holder;    /* the client holding it, when busy ("" otherwise) */
  RidgeTerminalInfo *info;
  gint64             rtt_us;    /* probe → answer */
} RidgeAnnounce;

#define RIDGE_TYPE_ANNOUNCE (ridge_announce_get_type ())
GType          ridge_announce_get_type (void) G_GNUC_CONST;
RidgeAnnounce *ridge_announce_copy (const RidgeAnnounce *a);
void           ridge_announce_free (RidgeAnnounce *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RidgeAnnounce, ridge_announce_free)

/* Sends DISCOVER to address:port (address NULL = broadcast 255.255.255.255; an IP literal or
 * a host name) and collects ANNOUNCE answers for timeout_ms. The result is a GPtrArray of
 * RidgeAnnounce (possibly empty), one per terminal. */
void       ridge_discover_async (const char         *address,
                                 guint16             port,
                                 guint               timeout_ms,
                                 GCancellable       *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer            user_data);
GPtrArray *ridge_discover_finish (GAsyncResult *result,
                                  GError      **error);

G_END_DECLS
