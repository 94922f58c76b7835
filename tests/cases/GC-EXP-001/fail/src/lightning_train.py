from lightning.pytorch import Trainer
from lightning.pytorch.loggers import MLFlowLogger

trainer = Trainer(logger=MLFlowLogger(tracking_uri="http://mlflow:5000"))
