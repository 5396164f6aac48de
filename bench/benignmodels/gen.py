"""Writes benign model files the way the libraries themselves write them, into the current directory,
for measuring the model scanner's false positives (docs/model-security.md, "False positives").

Needs Debian's python3-torch python3-sklearn python3-pandas python3-joblib; run with /usr/bin/python3.
Nothing here runs in the build or the tests.
"""
import pickle, joblib, numpy as np, torch, pandas as pd, io, os, random, argparse, collections
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier, HistGradientBoostingClassifier, IsolationForest
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import KNeighborsClassifier, KDTree, BallTree
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler, FunctionTransformer, OneHotEncoder
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import SVC
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
X = np.random.rand(60, 4); y = (X[:,0] > .5).astype(int)
models = {
 'gb': GradientBoostingClassifier(n_estimators=3).fit(X, y),
 'rf': RandomForestClassifier(n_estimators=3).fit(X, y),
 'hgb': HistGradientBoostingClassifier(max_iter=3).fit(X, y),
 'iso': IsolationForest(n_estimators=3).fit(X),
 'knn': KNeighborsClassifier(algorithm='kd_tree').fit(X, y),
 'kdtree': KDTree(X), 'balltree': BallTree(X),
 'pipe': Pipeline([('f', FunctionTransformer(np.log1p)), ('s', StandardScaler()), ('lr', LogisticRegression())]).fit(X, y),
 'tfidf': TfidfVectorizer().fit(["alpha beta gamma", "beta gamma delta"]),
 'svc': SVC(probability=True).fit(X, y), 'kmeans': KMeans(n_clusters=2, n_init=1).fit(X), 'pca': PCA(2).fit(X),
 'ohe': OneHotEncoder().fit([["a"], ["b"]]),
}
for k, m in models.items():
    joblib.dump(m, f'sk_{k}.joblib')
    with open(f'sk_{k}.pkl', 'wb') as f: pickle.dump(m, f)
joblib.dump(models['rf'], 'sk_rf_z.joblib', compress=3)
df = pd.DataFrame({'a': [1, 2], 'b': ['x', 'y'], 't': pd.to_datetime(['2024-01-01', '2024-01-02']), 'c': pd.Categorical(['u', 'v'])})
df.to_pickle('pandas_df.pkl')
pd.Series([1.0, None]).to_pickle('pandas_series.pkl')
for p in (2, 4, 5):
    with open(f'numpy_p{p}.pkl', 'wb') as f: pickle.dump({'a': np.arange(4), 'm': np.ma.masked_array([1, 2], mask=[0, 1]), 's': np.float32(1), 'rng': np.random.default_rng(0), 'rs': np.random.RandomState(0)}, f, protocol=p)
class Net(torch.nn.Module):
    def __init__(s):
        super().__init__(); s.l = torch.nn.Linear(4, 2); s.act = torch.nn.functional.gelu; s.bn = torch.nn.BatchNorm1d(2); s.seq = torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Dropout(0.1))
    def forward(s, x): return s.seq(s.bn(s.act(s.l(x))))
net = Net()
torch.save(net.state_dict(), 'torch_state.pt')
torch.save(net, 'torch_whole.pt')
opt = torch.optim.AdamW(net.parameters(), lr=1e-3)
net(torch.rand(3, 4)).sum().backward(); opt.step()
torch.save(opt.state_dict(), 'optimizer.pt')
sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda e: 1.0)
torch.save({'step': 1}, 'scheduler.pt')
torch.save({'python': random.getstate(), 'numpy': np.random.get_state(), 'cpu': torch.random.get_rng_state()}, 'rng_state.pth')
torch.save({'model': net.state_dict(), 'optimizer': opt.state_dict(), 'epoch': 3, 'args': argparse.Namespace(lr=0.1, name='x'), 'best': np.float64(0.9), 'hist': collections.defaultdict(list)}, 'checkpoint.pth')
torch.save(net.state_dict(), 'legacy.pt', _use_new_zipfile_serialization=False)
q = torch.quantization.quantize_dynamic(torch.nn.Sequential(torch.nn.Linear(4, 4)), {torch.nn.Linear}, dtype=torch.qint8)
torch.save(q.state_dict(), 'quant_state.pt')
torch.save({'h': torch.rand(2).half(), 'b': torch.rand(2).bfloat16(), 'i': torch.arange(3), 'sp': torch.rand(3,3).to_sparse()}, 'dtypes.pt')
ts = torch.jit.script(net); ts.save('scripted.pt')
np.save('arr.npy', np.arange(10)); np.savez_compressed('arrs.npz', a=np.arange(3), b=np.ones(2))
try:  # python3-omegaconf: a Lightning/NeMo-style checkpoint with an OmegaConf config
    import typing
    from omegaconf import OmegaConf
    cfg = OmegaConf.create({"model": {"lr": 0.1, "layers": [1, 2]}, "name": "x"})
    torch.save({"state_dict": net.state_dict(), "hyper_parameters": {"cfg": cfg}, "epoch": 1,
                "pytorch-lightning_version": "2.1.0", "hints": typing.Dict[str, int], "ver": torch.__version__}, 'lightning_like.ckpt')
except ImportError:
    pass
