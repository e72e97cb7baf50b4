"""Certificates for TLS tests, made with the openssl command line.

    from tlscerts import CertAuthority

    ca = CertAuthority(tmp_path / "ca")                   # ca.pem, ca.key
    server = ca.issue("broker", ["127.0.0.1", "localhost"])  # .cert .key .chain
    client = ca.issue("tidewater-client", [], client=True)

Every key is an unencrypted PKCS#8 EC P-256 key (quick to make; Kafka's PEM
key stores and PostgreSQL both read it). A second CertAuthority gives an
"untrusted" CA whose certificates the first one's clients must refuse.
"""
import ipaddress
import os
import subprocess


class Issued:
    def __init__(self, cert, key, chain):
        self.cert = cert    # the certificate alone
        self.key = key      # its private key
        self.chain = chain  # key, then the certificate (a Kafka PEM key store)


def _openssl(args, cwd):
    p = subprocess.run(["openssl"] + args, cwd=cwd, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError("openssl %s failed:\n%s" % (" ".join(args), p.stdout))


class CertAuthority:
    def __init__(self, directory, name="tidewater test CA"):
        self.dir = os.fspath(directory)
        os.makedirs(self.dir, exist_ok=True)
        self.cert = os.path.join(self.dir, "ca.pem")
        self.key = os.path.join(self.dir, "ca.key")
        self._serial = 1
        _openssl(["req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                  "-nodes", "-keyout", self.key, "-out", self.cert, "-days", "2",
                  "-subj", "/CN=%s" % name,
                  "-addext", "basicConstraints=critical,CA:TRUE",
                  "-addext", "keyUsage=critical,keyCertSign,cRLSign"], self.dir)

    def issue(self, name, hosts, client=False):
        """A certificate for CN=name, with hosts (IP addresses or DNS names)
        as subject alternative names."""
        base = os.path.join(self.dir, name)
        sans = []
        for h in hosts:
            try:
                ipaddress.ip_address(h)
                sans.append("IP:" + h)
            except ValueError:
                sans.append("DNS:" + h)
        ext = ["basicConstraints=CA:FALSE",
               "extendedKeyUsage=%s" % ("clientAuth" if client else "serverAuth,clientAuth")]
        if sans:
            ext.append("subjectAltName=" + ",".join(sans))
        with open(base + ".ext", "w") as f:
            f.write("\n".join(ext) + "\n")
        _openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                  "-keyout", base + ".key", "-out", base + ".csr", "-subj", "/CN=%s" % name],
                 self.dir)
        self._serial += 1
        _openssl(["x509", "-req", "-in", base + ".csr", "-CA", self.cert, "-CAkey", self.key,
                  "-set_serial", str(self._serial), "-days", "2", "-extfile", base + ".ext",
                  "-out", base + ".cert"], self.dir)
        os.chmod(base + ".key", 0o600)
        with open(base + ".chain", "w") as out:
            for part in (base + ".key", base + ".cert"):
                with open(part) as f:
                    out.write(f.read())
        os.chmod(base + ".chain", 0o600)
        return Issued(base + ".cert", base + ".key", base + ".chain")
