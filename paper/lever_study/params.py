"""Counts the trainable parameters (requires_grad tensors) of the model in an eqnca checkpoint.pt
without LibTorch or PyTorch: the zip archive's pickle is read with stand-in classes."""
import sys, zipfile, pickle, math
class Mod(dict):
    def __setstate__(self, s): self.update(s)
class T:
    def __init__(self, size, rg): self.size, self.rg = size, rg
def rebuild(storage, offset, size, stride, requires_grad, hooks, *rest): return T(size, requires_grad)
class U(pickle.Unpickler):
    def find_class(self, mod, name):
        if name == '_rebuild_tensor_v2': return rebuild
        if name == 'OrderedDict':
            import collections; return collections.OrderedDict
        return Mod
    def persistent_load(self, pid): return pid
def count(path):
    z = zipfile.ZipFile(path)
    pkl = [n for n in z.namelist() if n.endswith('data.pkl')][0]
    root = U(__import__('io').BytesIO(z.read(pkl))).load()
    n = 0
    def walk(o):
        nonlocal n
        if isinstance(o, T):
            if o.rg: n += math.prod(o.size)
        elif isinstance(o, dict):
            for v in o.values(): walk(v)
    walk(root['model'])
    return n
if __name__ == '__main__':
    for p in sys.argv[1:]: print(p, count(p))
