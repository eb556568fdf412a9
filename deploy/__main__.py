import sys

from deploy.command import main

sys.exit(main())
