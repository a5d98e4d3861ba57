/* ridge-terminal-ffs.h — ridge-terminal's USB device side: a Linux USB gadget function
 * through FunctionFS (docs/protocol.md §18, docs/usb.md "Gadget")
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RidgeFfs writes the function's descriptors (full and high speed: one vendor interface
 * FF/52/01 with a bulk OUT and a bulk IN endpoint) and its strings to ep0, follows the ep0
 * events (BIND, ENABLE, DISABLE, UNBIND, SETUP → stall), and on every ENABLE (the host's
 * SET_INTERFACE: the link reset of §18.4) starts a new link: a socket pair whose one end
 * is handed to the caller as a GSocketConnection (ridge-terminal serves it with the same
 * session code as a TCP client) while two threads relay bulk OUT → socket and socket →
 * bulk IN, ending IN data with a zero-length packet when it is a multiple of the packet
 * size and nothing more is queued (§18.3). FunctionFS endpoint files cannot be polled,
 * hence the threads. The endpoint files are plain file descriptors, so the tests drive all
 * of this with socket pairs standing in for ep0, ep1 and ep2.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Endpoint files in the FunctionFS mount: ep1 is bulk OUT (address 0x01), ep2 bulk IN
 * (0x82), in the order of the descriptors. */
#define RIDGE_FFS_EP_OUT         1
#define RIDGE_FFS_EP_IN          2
/* §18.2: 64 at full speed, 512 at high speed. */
#define RIDGE_FFS_FS_PACKET      64
#define RIDGE_FFS_HS_PACKET      512
#define RIDGE_FFS_INTERFACE_NAME "Ridge terminal"

/* Fills out with the FunctionFS v2 descriptor blob (returns its length, or 0 if cap is too
 * small). */
gsize ridge_ffs_descriptors (guint8 *out,
                             gsize   cap);
/* Fills out with the FunctionFS strings blob (en-US: the interface name). */
gsize ridge_ffs_strings (guint8 *out,
                         gsize   cap);

typedef struct _RidgeFfs RidgeFfs;

/* Opens endpoint index (1 = OUT, 2 = IN); returns an fd or -1 with error set. */
typedef int (*RidgeFfsOpenEp) (gpointer user_data,
                               guint    index,
                               GError **error);
/* A new link (transfer none: take a reference to keep it). */
typedef void (*RidgeFfsLinkUp) (gpointer           user_data,
                                GSocketConnection *conn);
/* The link ended (DISABLE, UNBIND, a link reset, or RidgeFfs going away). */
typedef void (*RidgeFfsLinkDown) (gpointer user_data);

typedef struct {
  RidgeFfsOpenEp   open_ep;
  RidgeFfsLinkUp   link_up;
  RidgeFfsLinkDown link_down;
  gpointer         user_data;
} RidgeFfsCallbacks;

typedef struct {
  guint   binds;
  guint   enables;          /* links started */
  guint   disables;
  guint   unbinds;
  guint   setups_stalled;
  guint64 bytes_out;        /* host → terminal */
  guint64 bytes_in;         /* terminal → host */
  guint   zlps;
} RidgeFfsStats;

/* Takes ownership of ep0_fd: writes descriptors and strings, then follows its events on
 * the thread-default main context. */
RidgeFfs *ridge_ffs_new (int                      ep0_fd,
                         const RidgeFfsCallbacks *callbacks,
                         GError                 **error);
/* Opens DIR/ep0 of a mounted FunctionFS instance; endpoints are DIR/ep1 and DIR/ep2. */
RidgeFfs *ridge_ffs_new_for_dir (const char      *dir,
                                 RidgeFfsLinkUp   link_up,
                                 RidgeFfsLinkDown link_down,
                                 gpointer         user_data,
                                 GError         **error);
/* Ends the link (if any) and closes ep0. */
void      ridge_ffs_free (RidgeFfs *ffs);
gboolean  ridge_ffs_has_link (RidgeFfs *ffs);
void      ridge_ffs_get_stats (RidgeFfs      *ffs,
                               RidgeFfsStats *stats);

/* ridge-terminal --usb-gadget DIR: terminal is the RidgeTerminal; every link becomes a
 * session like a TCP client's. */
RidgeFfs *ridge_terminal_usb_gadget_start (gpointer    terminal,
                                           const char *dir,
                                           GError    **error);

G_END_DECLS
