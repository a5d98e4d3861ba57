#!/usr/bin/env python3
# wire-vectors.py — the byte-literal test vectors of the Ridge wire protocol, written
# field by field from docs/protocol.md independently of the C codec (framing from
# Python's zlib.crc32 and a bitwise CRC-16/CCITT-FALSE).
#
# Usage: build-aux/wire-vectors.py --c  > tests/wire/wire-vectors.h
#        build-aux/wire-vectors.py --md   (hex dumps for docs/protocol.md)
import struct
import sys
import zlib


def crc16(data):
    crc = 0xFFFF
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def u8(v): return struct.pack('<B', v)
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def i32(v): return struct.pack('<i', v)
def u64(v): return struct.pack('<Q', v)
def i64(v): return struct.pack('<q', v)
def s8(t): b = t.encode(); return u8(len(b)) + b          # string: u8 length
def t16(t): b = t.encode(); return u16(len(b)) + b        # text: u16 length
def blob(b): return u32(len(b)) + b                        # blob: u32 length


def frame(type_, flags, seq, payload, version=1):
    h = b'RG' + u8(version) + u8(flags) + u16(type_) + u32(seq) + u32(len(payload))
    h += u16(crc16(h))
    return h + payload + u32(zlib.crc32(payload))


REQ, RESP, EVENT, ERROR = 0, 1, 2, 5   # flags: RESPONSE=1, EVENT=2, ERROR=4 (+RESPONSE)

INFO = (u8(1) + u32(262144) + u32(0x7FF) + u32(0) + s8('RT-1') + s8('SN0001') + s8('0.1.0')
        + s8('ridge-engine 1') + u8(1) + u16(388) + u16(374) + u16(500) + u32(1000) + u32(3)
        + u32(7) + u64(123456))
MINUTIAE = (u16(100) + u16(200) + u16(16384) + u8(1) + u8(80)
            + u16(150) + u16(120) + u16(49152) + u8(2) + u8(60))
RAW_4X2 = bytes([0, 32, 64, 96, 128, 160, 192, 255])
FRAME_CAPTURE = (u32(0) + u64(5000000) + u16(4) + u16(2) + u16(500) + u8(1) + u8(77) + u32(0)
                 + u8(0) + u16(2) + MINUTIAE + blob(RAW_4X2))
FRAME_STREAM = (u32(42) + u64(6000000) + u16(4) + u16(2) + u16(500) + u8(0) + u8(255) + u32(3)
                + u8(1) + u16(0) + blob(bytes([0x01, 0xF0])))
TPL_INFO_A = (u32(5) + s8('alice') + s8('Alice R index') + u8(2) + u8(3) + u8(80) + u8(0)
              + u64(1764072000000) + u64(1764072000000) + u32(312))
TPL_INFO_B = (u32(6) + s8('bob') + s8('') + u8(7) + u8(3) + u8(65) + u8(1)
              + u64(1764072100000) + u64(1764072200000) + u32(198))
TEMPLATE = TPL_INFO_A + blob(bytes([0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x01]))
MATCH = u8(1) + u32(4711) + u32(40) + u32(5) + s8('alice') + u8(2) + u8(71)
PARAMS = (u8(2) + u8(1) + s8('gain') + i32(10) + i32(0) + i32(31)
          + u8(2) + s8('led') + i32(-3) + i32(-5) + i32(5))

# name, type, flags, seq, payload
VECTORS = [
    ('hello_req', 0x0001, REQ, 1, u8(1) + u8(1) + u32(1048576) + u32(0) + s8('ridgectl 0.1.0')),
    ('hello_resp', 0x0001, RESP, 1, INFO),
    ('goodbye_req', 0x0002, REQ, 9, u8(0)),
    ('goodbye_resp', 0x0002, RESP, 9, b''),
    ('ping_req', 0x0003, REQ, 2, u64(1000000)),
    ('pong_resp', 0x0003, RESP, 2, u64(1000000) + u64(5000000) + u64(123456) + u32(7)),
    ('info_req', 0x0004, REQ, 3, b''),
    ('discover_req', 0x0005, REQ, 0, b''),
    ('announce_resp', 0x0005, RESP, 0, u16(7420) + u8(1) + s8('192.168.1.20:51000') + INFO),
    ('capture_req', 0x0010, REQ, 4, u8(0x07) + u32(5000)),
    ('capture_resp', 0x0010, RESP, 4, FRAME_CAPTURE),
    ('stream_start_req', 0x0011, REQ, 5, u16(4) + u16(10) + u8(0x06)),
    ('stream_start_resp', 0x0011, RESP, 5, b''),
    ('stream_credit_event', 0x0012, EVENT, 1, u16(2)),
    ('stream_stop_req', 0x0013, REQ, 6, b''),
    ('stream_stop_resp', 0x0013, RESP, 6, u32(120) + u32(3)),
    ('frame_event', 0x0014, EVENT, 11, FRAME_STREAM),
    ('finger_event', 0x0015, EVENT, 12, u8(1) + u64(99999)),
    ('enroll_begin_req', 0x0020, REQ, 7, s8('alice') + u8(2) + u8(3) + u32(10000)),
    ('enroll_begun_resp', 0x0020, RESP, 7, u32(17)),
    ('enroll_sample_event', 0x0021, EVENT, 13,
     u32(17) + u8(0) + u8(3) + u8(1) + u8(0) + u8(80) + FRAME_CAPTURE),
    ('enroll_commit_req', 0x0022, REQ, 8, u32(17) + u8(1) + s8('Alice R index')),
    ('enroll_commit_resp', 0x0022, RESP, 8, TPL_INFO_A),
    ('enroll_cancel_req', 0x0023, REQ, 10, b''),
    ('tpl_list_req', 0x0030, REQ, 20, u32(0) + u16(64)),
    ('tpl_list_resp', 0x0030, RESP, 20, u32(2) + u16(2) + TPL_INFO_A + TPL_INFO_B),
    ('tpl_get_req', 0x0031, REQ, 21, u32(5)),
    ('tpl_get_resp', 0x0031, RESP, 21, TEMPLATE),
    ('tpl_put_req', 0x0032, REQ, 22, TEMPLATE),
    ('tpl_put_resp', 0x0032, RESP, 22, TPL_INFO_A),
    ('tpl_delete_req', 0x0033, REQ, 23, u32(5)),
    ('tpl_update_req', 0x0034, REQ, 24, TPL_INFO_B),
    ('tpl_capacity_req', 0x0035, REQ, 25, b''),
    ('tpl_capacity_resp', 0x0035, RESP, 25, u32(1000) + u32(3)),
    ('tpl_clear_resp', 0x0036, RESP, 26, u32(1000) + u32(0)),
    ('verify_req', 0x0040, REQ, 30, u32(0) + s8('alice') + u8(2) + u32(5000)),
    ('verify_resp', 0x0040, RESP, 30, MATCH),
    ('identify_req', 0x0041, REQ, 31, u32(5000)),
    ('selftest_resp', 0x0050, RESP, 40,
     u8(0) + u8(2) + u8(1) + s8('sensor') + t16('ok') + u8(0) + s8('store') + t16('write failed')),
    ('param_get_resp', 0x0051, RESP, 41, PARAMS),
    ('param_set_req', 0x0052, REQ, 42, u8(2) + i32(-3)),
    ('counters_resp', 0x0053, RESP, 43,
     u8(2) + s8('frames_sent') + u64(12345) + s8('crc_errors') + u64(0)),
    ('log_fetch_req', 0x0054, REQ, 44, u32(0) + u16(4096)),
    ('log_resp', 0x0054, RESP, 44, u32(0) + u32(8) + t16('boot ok\n')),
    ('time_get_resp', 0x0055, RESP, 45, i64(1764072000000000)),
    ('time_set_req', 0x0056, REQ, 46, i64(-1)),
    ('reboot_req', 0x0057, REQ, 47, b''),
    ('error_version', 0x0001, ERROR, 1, u16(3) + t16('no common protocol version')),
    ('error_unsupported', 0x7777, ERROR, 50, u16(2) + t16('unsupported message type 0x7777')),
]


def c_output():
    out = ['/* wire-vectors.h — generated by build-aux/wire-vectors.py; do not edit.',
           ' *', ' * SPDX-License-Identifier: GPL-3.0-or-later', ' */', '#pragma once', '',
           '#include <stdint.h>', '']
    for name, t, f, seq, p in VECTORS:
        b = frame(t, f, seq, p)
        out.append('static const uint8_t vec_%s[%d] = {' % (name, len(b)))
        for i in range(0, len(b), 12):
            out.append('  ' + ', '.join('0x%02x' % x for x in b[i:i + 12]) + ',')
        out.append('};')
        out.append('')
    return '\n'.join(out)


def md_output():
    out = []
    for name, t, f, seq, p in VECTORS:
        b = frame(t, f, seq, p)
        out.append('`%s` (%d bytes):' % (name, len(b)))
        out.append('```')
        for i in range(0, len(b), 16):
            out.append('%04x  %s' % (i, ' '.join('%02x' % x for x in b[i:i + 16])))
        out.append('```')
    return '\n'.join(out)


if __name__ == '__main__':
    print(md_output() if '--md' in sys.argv else c_output())
