"""moto's AWS emulator for the local deploy test, with three faults of moto 5.2.1 and its server worked around.

1. Terminating an instance: EC2 releases its private addresses, deletes the primary
   network interface it created at launch, and detaches the interfaces that were
   attached at launch but are kept (they become "available", to be deleted or reused).
   moto 5.2.1 does none of it: the addresses stay "in use" in their subnet (an instance
   later launched at the same fixed address, the rebuilt new side of a rehearsal, fails
   with "IP already in use"), and the kept interfaces stay attached to the terminated
   instance (deleting them fails: "device index 0 cannot be detached").
2. moto_server serves requests on parallel threads, and its models are not safe for
   that. Connections are still accepted in parallel here, but one request at a time
   reaches moto's models.
3. Now and then, under the load of a Terraform apply, the SDK retries a request whose
   response the server sent whole (seen through a logging TCP proxy: every byte of the
   response passed; the cause is not established), and its retry of a create meets the
   first attempt's result ("InvalidPermission.Duplicate"). A retry (the same amz-sdk-invocation-id) is
   answered with the response of the attempt that ran, as if it had arrived; it is
   never run twice. Distinct requests get moto's answers unchanged.

Usage: python3 e2e/moto_server.py HOST PORT. Everything else is moto as installed.
"""
import collections
import io
import os
import sys
import threading

from moto.ec2.models.instances import Instance
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import run_simple

_terminate = Instance.terminate


def _terminate_as_ec2_does(self):
    state = _terminate(self)
    subnet = self.ec2_backend.get_subnet(self.subnet_id) if self.subnet_id else None
    for address in list(self._private_ips):
        if subnet is not None:
            subnet.del_subnet_ip(address)
    self._private_ips.clear()
    for nic in list(self.nics.values()):
        if nic.id not in self.ec2_backend.enis:
            continue  # deleted with the instance (DeleteOnTermination)
        if nic.device_index == 0 and nic.description == "Primary network interface":
            nic.delete()  # the one EC2 made at launch goes with the instance
        else:
            # Detached as EC2 does; moto keeps it in the terminated instance's own list,
            # which its description of the instance needs.
            nic.instance = None
            nic.attachment_id = None
            nic.attach_time = None
            nic.status = "available"
            nic.device_index = None
    return state


Instance.terminate = _terminate_as_ec2_does

def one_at_a_time(app):
    """moto's app behind a lock, with each request's body read whole and each retry answered once."""
    lock = threading.Lock()
    answered = collections.OrderedDict()  # amz-sdk-invocation-id -> (status, headers, body)

    def serve(environ, start_response):
        # The whole body is read before moto sees the request: werkzeug closes every
        # connection after its response, and closing with unread bytes resets it.
        length = int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(length) if length else b"")
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        if invocation in answered:
            status, headers, body = answered[invocation]
            start_response(status, headers)
            return body
        kept = {}

        def keeping_start_response(status, headers, exc_info=None):
            kept["status"], kept["headers"] = status, headers
            return start_response(status, headers, exc_info)

        with lock:
            body = list(app(environ, keeping_start_response))
        if invocation:
            answered[invocation] = (kept["status"], kept["headers"], body)
            while len(answered) > 5000:
                answered.popitem(last=False)
        return body

    return serve


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault("MOTO_PORT", str(port))  # as moto_server sets it: some responses name the server
    run_simple(host, port, one_at_a_time(DomainDispatcherApplication(create_backend_app)), threaded=True)
