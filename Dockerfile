# The corelab workshop image: Jupyter with the corelab Go kernel, the workshop notebooks, and CPython 3.14
# and free-threaded 3.14t beside it.
#
#   Binder       mybinder.org builds this file as is (repo2docker) and starts the container with its own
#                command (a Jupyter server that opens JupyterLab), which replaces CMD below.
#   JupyterHub   use the built image as the single-user image (it is a Jupyter Docker Stacks image); the hub's
#                command (jupyterhub-singleuser, or this CMD) replaces or is CMD.
#   Locally      docker build -t corelab . && docker run --rm -p 8888:8888 corelab
#
# In all three the base image's ENTRYPOINT stays (tini, then Docker Stacks' start.sh, then the command: start.sh is
# the entry point since jupyter/docker-stacks#2087, January 2024), and start.sh runs the hooks in
# /usr/local/bin/before-notebook.d/ first. Ours, docker/corelab-workshop, copies the
# workshop from /opt/corelab/workshop into ~/corelab-workshop at every start: JupyterHub mounts a volume over
# the image's home, so notebooks copied there at build time would be hidden. A learner's edited notebook is
# kept; a newer shipped version lands beside it (tests/test_start_hook.py runs the hook).
#
# Both stages run scripts/install.sh, the same script `make build`/`make install` use and that the test
# suite runs on every CI run (tests/test_install_script.py), so the image cannot drift from what is tested;
# tests/test_dockerfile.py checks the requirements below.
#
# Cores: Go >= 1.25 sets GOMAXPROCS from the container's CPU limit (cgroup cpu.max or CFS quota), rounded
# up and never below 2 (runtime/cgroup_linux.go in Go 1.26), so nothing here sets GOMAXPROCS. runtime.NumCPU()
# still counts the node's CPUs; notebook 00 shows the learner both, and the cgroup limit itself.

# ---- stage 1: compile the corelab binary (static: CGO off, see scripts/install.sh)
# Google's mirror of Docker Hub's official images: anonymous pulls from Docker Hub are rate-limited, which has
# failed Binder builds.
FROM mirror.gcr.io/library/golang:1.26.8 AS build
# The version `corelab version` prints. The build context keeps .git (see .dockerignore), so by default it is
# `git describe` of the commit being built; building from a tree without .git needs --build-arg
# CORELAB_VERSION=..., and the build fails rather than ship a binary that says "dev".
ARG CORELAB_VERSION
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN scripts/install.sh build /out/corelab \
 && /out/corelab version \
 && if /out/corelab version | grep -q '^corelab dev '; then \
      echo "no version: build from a git checkout or pass --build-arg CORELAB_VERSION=..." >&2; exit 1; fi

# ---- stage 2: the Jupyter image (Ubuntu, conda Python at $CONDA_DIR, JupyterLab + Notebook 7, user jovyan
# with uid 1000 and gid 100, as Binder requires: the base sets NB_USER, NB_UID and NB_GID, used below).
FROM quay.io/jupyter/minimal-notebook:2025-11-24

USER root
COPY --from=build /out/corelab /usr/local/bin/corelab
COPY scripts/install.sh /tmp/corelab-install.sh
# The kernelspec goes into the conda prefix, not $HOME: a JupyterHub that mounts a volume over $HOME still sees it.
RUN /tmp/corelab-install.sh kernelspec /usr/local/bin/corelab --sys-prefix --python "${CONDA_DIR}/bin/python" \
 && rm /tmp/corelab-install.sh \
 && corelab version

# Real CPython beside the emulation (for %%python cells): 3.14 and the free-threaded 3.14t from conda-forge, each
# in its own prefix so neither changes the Jupyter environment's Python, and on PATH as python3.14 and
# python3.14t. conda-forge packages the free-threaded build as python-freethreading (a metapackage that selects
# python with the cp314t ABI). Not verified without a Docker engine: that these two solves succeed for the
# base's mamba on every architecture Binder builds for; the trailing checks fail the build if the result is
# not a 3.14 with the GIL on, and a 3.14 with the GIL off.
RUN mamba create --yes --quiet --override-channels -c conda-forge -p /opt/python/3.14 "python=3.14" \
 && mamba create --yes --quiet --override-channels -c conda-forge -p /opt/python/3.14t "python-freethreading=3.14" \
 && mamba clean --all --force-pkgs-dirs --yes \
 && ln -s /opt/python/3.14/bin/python /usr/local/bin/python3.14 \
 && ln -s /opt/python/3.14t/bin/python /usr/local/bin/python3.14t \
 && python3.14 -c 'import sys; assert sys.version_info[:2] == (3, 14) and sys._is_gil_enabled()' \
 && python3.14t -c 'import sys; assert sys.version_info[:2] == (3, 14) and not sys._is_gil_enabled()'

# The workshop, read-only in the image; the start hook copies it into each learner's home.
COPY notebooks/README.md notebooks/*.ipynb /opt/corelab/workshop/
COPY notebooks/images /opt/corelab/workshop/images/
COPY notebooks/reference /opt/corelab/workshop/reference/
COPY docker/corelab-workshop /usr/local/bin/before-notebook.d/50-corelab-workshop
RUN chmod 0755 /usr/local/bin/before-notebook.d/50-corelab-workshop \
 && chmod -R a+rX,go-w /opt/corelab/workshop

USER ${NB_UID}
WORKDIR /home/${NB_USER}

EXPOSE 8888
# The base image's ENTRYPOINT (tini -g -- start.sh) runs this, or whatever command Binder or JupyterHub gives.
CMD ["start-notebook.py"]
