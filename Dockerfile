# The corelab workshop image: Jupyter with the corelab Go kernel and the workshop notebooks.
#
#   Binder       mybinder.org builds this file as is (repo2docker) and starts it with its own
#                `jupyter notebook ...` command, which replaces CMD below.
#   JupyterHub   use the built image as the single-user image (it is a Jupyter Docker Stacks image).
#   Locally      docker build -t corelab . && docker run --rm -p 8888:8888 corelab
#
# Both stages run scripts/install.sh, the same script `make build`/`make install` use and that the test
# suite runs on every CI run (tests/test_install_script.py), so the image cannot drift from what is tested;
# tests/test_dockerfile.py checks the requirements below.
#
# Cores: Go >= 1.25 sets GOMAXPROCS from the container's CPU limit (cgroup cpu.max or CFS quota), rounded
# up and never below 2 (runtime/cgroup_linux.go in Go 1.26), so nothing here sets GOMAXPROCS. runtime.NumCPU()
# still counts the node's CPUs; notebook 00 shows the learner both, and the cgroup limit itself.

# ---- stage 1: compile the corelab binary (static: CGO off, see scripts/install.sh)
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/install.sh build /out/corelab

# ---- stage 2: the Jupyter image (Ubuntu, conda Python at $CONDA_DIR, JupyterLab + Notebook 7,
# user jovyan with uid 1000 and gid 100, as Binder requires)
FROM quay.io/jupyter/minimal-notebook:2025-11-24

ARG NB_USER=jovyan
ARG NB_UID=1000

USER root
COPY --from=build /out/corelab /usr/local/bin/corelab
COPY scripts/install.sh /tmp/corelab-install.sh
# The kernelspec goes into the conda prefix, not $HOME: a JupyterHub that mounts a volume over $HOME still sees it.
RUN /tmp/corelab-install.sh kernelspec /usr/local/bin/corelab --sys-prefix --python "${CONDA_DIR}/bin/python" \
 && rm /tmp/corelab-install.sh \
 && corelab version

USER ${NB_UID}
WORKDIR /home/${NB_USER}
COPY --chown=1000:100 notebooks/*.ipynb /home/${NB_USER}/

EXPOSE 8888
# The base image's entry point (tini) runs this; Binder and JupyterHub replace it with their own command.
CMD ["start-notebook.py"]
