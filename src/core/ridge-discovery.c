/* ridge-discovery.c — find terminals with a UDP DISCOVER probe
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The probe runs in a worker thread with a blocking socket and a deadline: simple, and the
 * GCancellable interrupts the wait.
 */
#define G_LOG_DOMAIN "ridge-core"

#include "config.h"

#include "ridge-discovery.h"

#include <string.h>

#include "ridge-connector.h"
#include "ridge-error.h"

#define PROBES            3u
#define PROBE_INTERVAL_US (300 * 1000)

G_DEFINE_BOXED_TYPE (RidgeAnnounce, ridge_announce, ridge_announce_copy, ridge_announce_free);

RidgeAnnounce *
ridge_announce_copy (const RidgeAnnounce *a)
{
  RidgeAnnounce *c = g_new0 (RidgeAnnounce, 1);

  *c = *a;
  c->address = g_strdup (a->address);
  c->holder = g_strdup (a->holder);
  c->info = a->info ? ridge_terminal_info_copy (a->info) : NULL;
  return c;
}

void
ridge_announce_free (RidgeAnnounce *a)
{
  if (a == NULL)
    return;
  g_free (a->address);
  g_free (a->holder);
  ridge_terminal_info_free (a->info);
  g_free (a);
}

typedef struct {
  char   *address;
  guint16 port;
  guint   timeout_ms;
} Probe;

static void
probe_free (Probe *p)
{
  g_free (p->address);
  g_free (p);
}

static GInetAddress *
resolve (const char   *address,
         GCancellable *cancellable,
         GError      **error)
{
  GInetAddress *ia = g_inet_address_new_from_string (address);
  g_autoptr (GResolver) resolver = NULL;
  GList *list;

  if (ia != NULL)
    return ia;
  resolver = g_resolver_get_default ();
  list = g_resolver_lookup_by_name_with_flags (resolver, address,
                                               G_RESOLVER_NAME_LOOKUP_FLAGS_IPV4_ONLY,
                                               cancellable, error);
  if (list == NULL)
    return NULL;
  ia = g_object_ref (list->data);
  g_resolver_free_addresses (list);
  return ia;
}

static void
discover_thread (GTask        *task,
                 gpointer      source,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  Probe *probe = task_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) target_ip = NULL;
  g_autoptr (GSocketAddress) target = NULL;
  g_autoptr (GInetAddress) any = NULL;
  g_autoptr (GSocketAddress) local = NULL;
  g_autoptr (GPtrArray) found =
    g_ptr_array_new_with_free_func ((GDestroyNotify)ridge_announce_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree guint8 *buf = g_malloc (65536);
  g_autofree guint8 *payload = g_malloc (65536);
  guint8 probe_frame[RIDGE_WIRE_OVERHEAD];
  guint32 seq = g_random_int ();
  gint64 sent_us, deadline;
  guint probes_sent;
  int32_t n;

  target_ip = resolve (probe->address, cancellable, &error);
  if (target_ip == NULL)
    {
      g_task_return_error (task, ridge_error_new (RIDGE_ERROR_UNREACHABLE, "%s: %s",
                                                  probe->address, error->message));
      return;
    }
  target = g_inet_socket_address_new (target_ip, probe->port);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP,
                       &error);
  if (sock == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_socket_set_broadcast (sock, TRUE);
  any = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  local = g_inet_socket_address_new (any, 0);
  if (!g_socket_bind (sock, local, FALSE, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  n = ridge_wire_encode (probe_frame, sizeof probe_frame, RIDGE_MSG_DISCOVER, 0, seq, NULL);
  g_assert (n > 0);
  sent_us = g_get_monotonic_time ();
  if (g_socket_send_to (sock, target, (const char *)probe_frame, (gsize)n, cancellable,
                        &error) < 0)
    {
      g_task_return_error (task, ridge_error_new (RIDGE_ERROR_UNREACHABLE, "sending to %s:%u: %s",
                                                  probe->address, probe->port, error->message));
      return;
    }
  probes_sent = 1;

  deadline = sent_us + (gint64)probe->timeout_ms * 1000;
  for (;;)
    {
      gint64 left = deadline - g_get_monotonic_time ();
      g_autoptr (GSocketAddress) from = NULL;
      g_autoptr (GError) rerr = NULL;
      RidgeWireDecoder dec;
      RidgeWireMsg m;
      gssize got;
      size_t used = 0;

      gint64 next_probe = sent_us + (gint64)probes_sent * PROBE_INTERVAL_US;

      if (left <= 0)
        break;
      /* UDP may lose datagrams: probe up to PROBES times, PROBE_INTERVAL_US apart */
      if (probes_sent < PROBES && g_get_monotonic_time () >= next_probe)
        {
          g_socket_send_to (sock, target, (const char *)probe_frame, (gsize)n, cancellable,
                            NULL);
          probes_sent++;
          continue;
        }
      if (probes_sent < PROBES)
        left = MIN (left, next_probe - g_get_monotonic_time ());
      if (left <= 0)
        continue;
      if (!g_socket_condition_timed_wait (sock, G_IO_IN, left, cancellable, &rerr))
        {
          if (g_error_matches (rerr, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_task_return_error (task, g_steal_pointer (&rerr));
              return;
            }
          continue; /* time for another probe, or the deadline */
        }
      got = g_socket_receive_from (sock, &from, (char *)buf, 65536, cancellable, &rerr);
      if (got <= 0)
        continue;

      /* each datagram is one whole frame */
      ridge_wire_decoder_init (&dec, payload, 65536);
      if (ridge_wire_decoder_feed (&dec, buf, (size_t)got, &used) != RIDGE_WIRE_DEC_FRAME
          || dec.header.type != RIDGE_MSG_DISCOVER
          || !(dec.header.flags & RIDGE_WIRE_FLAG_RESPONSE) || dec.header.seq != seq
          || ridge_wire_decode (&dec.header, dec.payload, &m) != RIDGE_WIRE_OK)
        continue;

      {
        g_autofree char *ip = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
        g_autofree char *serial = ridge_wire_str_dup (m.announce.info.serial);
        /* one entry per terminal: by serial number, else by address */
        g_autofree char *key = serial[0] ? g_strdup_printf ("serial:%s", serial)
                               : g_strdup_printf ("%s:%u", ip, m.announce.tcp_port);
        RidgeAnnounce *a;

        if (g_hash_table_contains (seen, key))
          continue;
        g_hash_table_add (seen, g_steal_pointer (&key));
        a = g_new0 (RidgeAnnounce, 1);
        a->address = g_steal_pointer (&ip);
        a->tcp_port = m.announce.tcp_port;
        a->busy = m.announce.busy != 0;
        a->holder = ridge_wire_str_dup (m.announce.holder);
        a->info = ridge_terminal_info_new_from_wire (&m.announce.info);
        a->rtt_us = g_get_monotonic_time () - sent_us;
        g_ptr_array_add (found, a);
      }
    }
  g_task_return_pointer (task, g_steal_pointer (&found), (GDestroyNotify)g_ptr_array_unref);
}

void
ridge_discover_async (const char         *address,
                      guint16             port,
                      guint               timeout_ms,
                      GCancellable       *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer            user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Probe *p = g_new0 (Probe, 1);

  g_task_set_source_tag (task, ridge_discover_async);
  p->address = g_strdup (address ? address : RIDGE_DISCOVERY_BROADCAST);
  p->port = port ? port : RIDGE_DEFAULT_DISCOVERY_PORT;
  p->timeout_ms = timeout_ms;
  g_task_set_task_data (task, p, (GDestroyNotify)probe_free);
  g_task_run_in_thread (task, discover_thread);
}

GPtrArray *
ridge_discover_finish (GAsyncResult *result,
                       GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
