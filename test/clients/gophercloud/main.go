// gophercloud's compute packages against extgate with no auth, as a client developer runs them.
// usage: gophercloud-compute http://127.0.0.1:PORT/v1/ ; one line per step, OK at the end, exit 1 at the first failure.
package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/gophercloud/gophercloud"
	"github.com/gophercloud/gophercloud/openstack/common/extensions"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/flavors"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/images"
	"github.com/gophercloud/gophercloud/openstack/compute/v2/servers"
	"github.com/gophercloud/gophercloud/pagination"
)

func must(err error, what string) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", what, err)
		os.Exit(1)
	}
}

func main() {
	endpoint := os.Args[1] // http://127.0.0.1:8774/v1/
	provider := &gophercloud.ProviderClient{HTTPClient: http.Client{Timeout: 10 * time.Second}}
	client := &gophercloud.ServiceClient{ProviderClient: provider, Endpoint: endpoint}

	exts, err := extensions.List(client).AllPages()
	must(err, "extensions")
	all, err := extensions.ExtractExtensions(exts)
	must(err, "extract extensions")
	fmt.Printf("extensions: %d, first %s\n", len(all), all[0].Alias)
	one, err := extensions.Get(client, "RAX-DCF").Extract()
	must(err, "extension RAX-DCF")
	fmt.Printf("extension: %s %s\n", one.Alias, one.Namespace)

	fp, err := flavors.ListDetail(client, nil).AllPages()
	must(err, "flavors")
	fl, _ := flavors.ExtractFlavors(fp)
	fmt.Printf("flavors: %d, first %s (%d MB)\n", len(fl), fl[0].Name, fl[0].RAM)
	ip, err := images.ListDetail(client, nil).AllPages()
	must(err, "images")
	im, _ := images.ExtractImages(ip)
	fmt.Printf("images: %d, first %s %s\n", len(im), im[0].Name, im[0].Status)

	s, err := servers.Create(client, servers.CreateOpts{Name: "gopher", ImageRef: im[0].ID, FlavorRef: fl[0].ID, Metadata: map[string]string{"by": "gophercloud"}}).Extract()
	must(err, "create")
	fmt.Printf("created %s adminPass set: %v\n", s.ID, s.AdminPass != "")
	must(servers.WaitForStatus(client, s.ID, "ACTIVE", 30), "wait ACTIVE")
	must(servers.Reboot(client, s.ID, servers.RebootOpts{Type: servers.SoftReboot}).ExtractErr(), "reboot")
	got, err := servers.Get(client, s.ID).Extract()
	must(err, "get")
	fmt.Printf("after reboot: %s\n", got.Status)
	must(servers.WaitForStatus(client, s.ID, "ACTIVE", 30), "wait ACTIVE after reboot")
	upd, err := servers.Update(client, s.ID, servers.UpdateOpts{Name: "gopher-renamed"}).Extract()
	must(err, "update")
	fmt.Printf("renamed: %s\n", upd.Name)

	for _, n := range []string{"page-a", "page-b"} {
		_, err := servers.Create(client, servers.CreateOpts{Name: n, ImageRef: im[0].ID, FlavorRef: fl[0].ID}).Extract()
		must(err, "create "+n)
	}
	pages, count := 0, 0
	err = servers.List(client, servers.ListOpts{Limit: 2}).EachPage(func(p pagination.Page) (bool, error) {
		ss, err := servers.ExtractServers(p)
		count += len(ss)
		pages++
		return true, err
	})
	must(err, "list pages")
	fmt.Printf("listed %d servers in %d pages of 2\n", count, pages)
	if count < 3 || pages < 2 {
		fmt.Fprintln(os.Stderr, "FAIL pagination")
		os.Exit(1)
	}

	must(servers.Delete(client, s.ID).ExtractErr(), "delete")
	_, err = servers.Get(client, s.ID).Extract()
	if _, ok := err.(gophercloud.ErrDefault404); !ok {
		fmt.Fprintf(os.Stderr, "FAIL get after delete: %v\n", err)
		os.Exit(1)
	}
	fmt.Println("deleted; get gives 404")
	fmt.Println("OK")
}
