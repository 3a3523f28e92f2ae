"""802.1Q frames on a raw socket, for the host network test: the sandbox kernel may
have no 8021q module, so the test tags its frames itself, as a Neutron agent's
Open vSwitch does.

  vlan-frames.py send IFACE VID MARKER   one broadcast frame tagged VID, payload MARKER
  vlan-frames.py listen IFACE           prints one JSON line per test frame seen: {"vid": n|null, "marker": s},
                                        until its standard input closes (then it drains what is queued) or a minute passes
"""
import json
import select
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5  # IEEE local experimental: nothing else on the test links uses it
SOL_PACKET = 263
PACKET_AUXDATA = 8
TP_STATUS_VLAN_VALID = 1 << 4


def send(iface, vid, marker):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    src = s.getsockname()[4]
    frame = b"\xff" * 6 + src + struct.pack("!HHH", 0x8100, vid & 0x0FFF, ETHERTYPE) + marker.encode()
    s.send(frame.ljust(64, b"\0"))


def listen(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    s.bind((iface, 0))
    # The kernel moves a received tag out of the frame into the packet's metadata: ask for it.
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    print("ready", flush=True)
    # The test says when it has sent everything by closing stdin: a fixed window would miss
    # frames whose sender started late on a busy machine.
    end = time.time() + 60
    watching = [s, sys.stdin]
    while time.time() < end:
        readable = select.select(watching, [], [], max(0, end - time.time()))[0]
        if not readable:
            break
        if sys.stdin in readable:
            if not sys.stdin.buffer.read1(1):
                watching = [s]
                end = min(end, time.time() + 0.5)  # frames still in flight through the bridges and the tunnel
            continue
        data, ancillary, _, address = s.recvmsg(2048, socket.CMSG_SPACE(64))
        if address[2] == socket.PACKET_OUTGOING:  # the listener's own guest sending
            continue
        vid = None
        for level, kind, value in ancillary:
            if level == SOL_PACKET and kind == PACKET_AUXDATA:
                status, _, _, _, _, tci = struct.unpack("IIIHHH", value[:18])
                if status & TP_STATUS_VLAN_VALID:
                    vid = tci & 0x0FFF
        ethertype = struct.unpack("!H", data[12:14])[0]
        payload = data[14:]
        if ethertype == 0x8100:  # the tag is still in the frame
            vid = struct.unpack("!H", data[14:16])[0] & 0x0FFF
            ethertype = struct.unpack("!H", data[16:18])[0]
            payload = data[18:]
        if ethertype == ETHERTYPE:
            print(json.dumps({"vid": vid, "marker": payload.rstrip(b"\0").decode()}), flush=True)

if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        listen(sys.argv[2])
