// gophercloud behind a real Keystone: password authentication, the compute endpoint from the
// catalog (openstack.NewComputeV2), a server created, waited for, rebooted, listed and deleted;
// another project's client gets 404 on it and does not list it.
// usage: gophercloud-keystone AUTH_URL OWNER PASSWORD PROJECT OTHER PASSWORD PROJECT OWNER_PROJECT_ID
// One line per step, OK at the end, exit 1 at the first failure.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/images"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
)

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
		os.Exit(1)
	}
}

func compute(authURL, user, password, project string) *gophercloud.ServiceClient {
	provider, err := openstack.AuthenticatedClient(gophercloud.AuthOptions{
		IdentityEndpoint: authURL, Username: user, Password: password, TenantName: project, DomainName: "Default",
	})
	must(err, "authenticate "+user)
	client, err := openstack.NewComputeV2(provider, gophercloud.EndpointOpts{Region: "RegionOne"})
	must(err, "compute endpoint from the catalog")
	return client
}

func waitActive(client *gophercloud.ServiceClient, id string) *servers.Server {
	for i := 0; i < 300; i++ {
		s, err := servers.Get(client, id).Extract()
		must(err, "get")
		if s.Status == "ACTIVE" {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "FAIL: never ACTIVE")
	os.Exit(1)
	return nil
}

func listed(client *gophercloud.ServiceClient, id string) bool {
	pages, err := servers.List(client, servers.ListOpts{}).AllPages()
	must(err, "list")
	all, err := servers.ExtractServers(pages)
	must(err, "extract list")
	for _, s := range all {
		if s.ID == id {
			return true
		}
	}
	return false
}

func main() {
	a := os.Args[1:]
	owner := compute(a[0], a[1], a[2], a[3])
	other := compute(a[0], a[4], a[5], a[6])
	fmt.Printf("catalog compute endpoint: %s\n", owner.Endpoint)

	imgPages, err := images.ListDetail(owner, nil).AllPages()
	must(err, "images")
	imgs, _ := images.ExtractImages(imgPages)
	flvPages, err := flavors.ListDetail(owner, nil).AllPages()
	must(err, "flavors")
	flvs, _ := flavors.ExtractFlavors(flvPages)

	created, err := servers.Create(owner, servers.CreateOpts{Name: "gopher-keystone", ImageRef: imgs[0].ID, FlavorRef: flvs[0].ID}).Extract()
	must(err, "create")
	s := waitActive(owner, created.ID)
	fmt.Printf("created: %s, tenant is the token's: %v\n", s.Status, s.TenantID != "" && s.TenantID == a[7])

	must(servers.Reboot(owner, s.ID, servers.RebootOpts{Type: servers.SoftReboot}).ExtractErr(), "reboot")
	waitActive(owner, s.ID)
	fmt.Println("rebooted")

	fmt.Printf("owner lists it: %v\n", listed(owner, s.ID))
	fmt.Printf("other project lists it: %v\n", listed(other, s.ID))
	_, err = servers.Get(other, s.ID).Extract()
	_, notFound := err.(gophercloud.ErrDefault404)
	fmt.Printf("other project get: 404 %v\n", notFound)
	err = servers.Delete(other, s.ID).ExtractErr()
	_, notFound = err.(gophercloud.ErrDefault404)
	fmt.Printf("other project delete: 404 %v\n", notFound)

	must(servers.Delete(owner, s.ID).ExtractErr(), "delete")
	for i := 0; i < 300; i++ {
		if _, err := servers.Get(owner, s.ID).Extract(); err != nil {
			if _, ok := err.(gophercloud.ErrDefault404); ok {
				fmt.Println("deleted")
				fmt.Println("OK")
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "FAIL: never deleted")
	os.Exit(1)
}
